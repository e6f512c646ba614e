"""Real servers on 127.0.0.1 for the tests and the benchmarks: gunicorn as production runs it.

`Gunicorn` starts `gunicorn -c gunicorn.conf.py APP` (the documented recipe) on a free loopback
port in its own process group, waits until every worker answers, and speaks raw HTTP/1.1 to it
byte for byte. `static_server` serves a static export with Python's http.server.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "gunicorn.conf.py"
WAIT = 60.0  # seconds: a generous bound for a loaded machine, never a speed assertion


@dataclass(frozen=True)
class RawResponse:
    """A response read byte for byte off the socket."""

    status: int
    headers: dict[str, str]
    body: bytes
    raw: bytes


class Gunicorn:
    """gunicorn serving the show in `root` on 127.0.0.1; stop() (or leaving `with`) ends it.

    `app` is gunicorn's app argument (see `factory`); `workers=None` keeps the configuration's
    one per core; `port=0` lets the OS choose; `options` go to gunicorn after the configuration.
    """

    def __init__(
        self,
        root: Path,
        log: Path,
        app: str = "wsgi:app",
        *,
        workers: int | None = 2,
        port: int = 0,
        options: Sequence[str] = (),
    ) -> None:
        self.log, self.workers = log, workers
        command = [sys.executable, "-m", "gunicorn", "-c", str(CONFIG)]
        command += ["--bind", f"127.0.0.1:{port}", "--pythonpath", str(REPO / "tests")]
        command += ["--workers", str(workers)] if workers else []
        env = {**os.environ, "PODCAST_ROOT": str(root), "PYTHONUNBUFFERED": "1"}
        env.pop("GUNICORN_CMD_ARGS", None)  # the configuration file and `options` only
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                [*command, *options, app],
                cwd=REPO,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.port = self._wait_for_port()

    @property
    def url(self) -> str:
        """The server's base URL, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def logged(self) -> str:
        """Everything gunicorn and the app wrote so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            log = self.logged()
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log)
            if found and log.count("Booting worker") >= (self.workers or 1):
                if _answers(int(found.group(1))):
                    return int(found.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start:\n{self.logged()}")

    def request(self, raw: bytes, timeout: float = 30) -> RawResponse:
        """Send `raw` bytes as they are (no client-side normalising) and read the answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(raw)
            chunks = []
            while chunk := sock.recv(1 << 16):
                chunks.append(chunk)
        return parse(b"".join(chunks))

    def get(
        self, target: bytes, headers: Mapping[bytes, bytes] | None = None, method: bytes = b"GET"
    ) -> RawResponse:
        """A one-shot HTTP/1.1 request for `target`, sent verbatim."""
        lines = [method + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
        lines += [name + b": " + value for name, value in (headers or {}).items()]
        return self.request(b"\r\n".join(lines) + b"\r\n\r\n")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: processes whose parent is the master."""
        return [pid for pid, parent in _processes() if parent == self.process.pid]

    def rss_kib(self, pids: Sequence[int] | None = None) -> dict[int, int]:
        """Resident memory (VmRSS, KiB) of `pids`, by default the master and every worker."""
        sizes = {}
        for pid in [self.process.pid, *self.worker_pids()] if pids is None else pids:
            found = re.search(r"^VmRSS:\s+(\d+) kB", _proc(pid, "status"), re.MULTILINE)
            if found:
                sizes[pid] = int(found.group(1))
        return sizes

    def bytes_read(self) -> int:
        """Bytes the master and workers have read by system calls so far (/proc/PID/io rchar)."""
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            found = re.search(r"^rchar: (\d+)$", _proc(pid, "io"), re.MULTILINE)
            total += int(found.group(1)) if found else 0
        return total

    def stop(self) -> None:
        """Stop gunicorn and its workers (this process group only), and make sure they ended."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def factory(config: Mapping[str, object], *, test_clock: bool = False) -> str:
    """gunicorn's app argument calling create_app(config), on the test clock if asked."""
    target = "podcast.site.app:create_app"
    if test_clock:
        target = "support.apps:create_app_on_test_clock"
    literal = {key: str(v) if isinstance(v, Path) else v for key, v in config.items()}
    return f"{target}({literal!r})"


def parse(data: bytes) -> RawResponse:
    """Split a raw HTTP/1.1 response (Content-Length or close-delimited) into its parts."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith(b"HTTP/") else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return RawResponse(status, headers, body, data)


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve a static export with Python's own http.server on a free loopback port."""
    command = [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--directory", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "Serving HTTP on 127.0.0.1 port 41234 (…) ..."
        port = line.split(" port ")[1].split()[0]
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            return sock.recv(12).startswith(b"HTTP/1.")
    except OSError:
        return False


def _processes() -> Iterator[tuple[int, int]]:
    """(pid, parent pid) of every process we may read."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc(int(entry.name), "stat")
            if stat:
                yield int(entry.name), int(stat.rsplit(")", 1)[1].split()[1])


def _proc(pid: int, name: str) -> str:
    """/proc/PID/NAME, or "" once the process has gone."""
    try:
        return (Path("/proc") / str(pid) / name).read_text()
    except OSError:
        return ""
