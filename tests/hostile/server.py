"""A real gunicorn process on 127.0.0.1 serving a show, and a raw-socket HTTP client."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import gunicorn.config

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class RawResponse:
    """A response read byte for byte off the socket."""

    status: int
    headers: dict[str, str]
    body: bytes
    raw: bytes


class Server:
    """gunicorn serving `root` on an ephemeral loopback port; stop() ends it."""

    def __init__(self, root: Path, log: Path, workers: int = 2, extra: tuple[str, ...] = ()):
        self.log = log
        self.workers = workers
        env = {**os.environ, "PODCAST_ROOT": str(root), "PYTHONUNBUFFERED": "1"}
        self._log = log.open("wb")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            str(workers),
            "--chdir",
            str(REPO),
            "--graceful-timeout",
            "5",
            *extra,
        ]
        if hasattr(gunicorn.config, "ControlSocketDisable"):  # gunicorn 25+: one shared path
            command.append("--no-control-socket")
        command.append("wsgi:app")
        self.process = subprocess.Popen(
            command, env=env, stdout=self._log, stderr=self._log, start_new_session=True
        )
        self.port = self._wait_for_port()

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            log = self.log.read_bytes()
            match = re.search(rb"Listening at: http://127\.0\.0\.1:(\d+)", log)
            if match and log.count(b"Booting worker") >= self.workers:
                port = int(match.group(1))
                if self._answers(port):
                    return port
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + self.log.read_text(errors="replace"))

    @staticmethod
    def _answers(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                return sock.recv(12).startswith(b"HTTP/1.1")
        except OSError:
            return False

    def request(self, raw: bytes, timeout: float = 30) -> RawResponse:
        """Send `raw` bytes as they are (no client-side normalising) and read the answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(raw)
            chunks = []
            while chunk := sock.recv(1 << 16):
                chunks.append(chunk)
        return parse(b"".join(chunks))

    def get(
        self, target: bytes, headers: dict[bytes, bytes] | None = None, method: bytes = b"GET"
    ) -> RawResponse:
        """A one-shot HTTP/1.1 request for `target`, sent verbatim."""
        lines = [method + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
        lines += [name + b": " + value for name, value in (headers or {}).items()]
        return self.request(b"\r\n".join(lines) + b"\r\n\r\n")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: processes whose parent is the master."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue  # it exited while we looked
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def bytes_read(self) -> int:
        """Bytes the master and workers have read by system calls so far (/proc/PID/io rchar)."""
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                io = Path(f"/proc/{pid}/io").read_text()
            except OSError:
                continue
            total += int(re.search(r"^rchar: (\d+)$", io, re.MULTILINE).group(1))  # type: ignore[union-attr]
        return total

    def stop(self) -> None:
        """Stop gunicorn (our process group only) and close the log."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


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
