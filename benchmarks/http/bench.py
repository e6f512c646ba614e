#!/usr/bin/env python3
"""Measure the app under gunicorn beside nginx serving the static export of the same show.

Run by hand from the repository root with the project's venv (never from the tests):

    .venv/bin/python benchmarks/http/bench.py [--episodes 1000] [--duration 10]

It generates a show of N episodes (real MP3 audio, YAML with Markdown notes) in a scratch
folder, exports the measured URLs with the app's own test client (so both servers send the
same bytes), starts gunicorn with gunicorn.conf.py and nginx on free ports on 127.0.0.1, and
runs wrk against both, scenario by scenario, in the same run. It prints a Markdown table of
requests/s, latency and errors for each, the app-to-nginx ratio, and the gunicorn workers'
memory after each scenario. Needs wrk, nginx and ffmpeg (Debian packages of those names).
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # the package, and the tests' server launcher

from support.servers import Gunicorn, factory  # noqa: E402

from podcast.read.catalog import default_root  # noqa: E402
from podcast.site.app import create_app  # noqa: E402

NOTES = """In this episode the hosts talk with a guest about **access to care** in the
neighbourhoods around the hospital, and what a clinic can change on its own.

- why appointments are missed, and what helps
- transport, interpreters and child care
- [a report on the topic](https://example.org/report)

Questions for the show? Write to us; we read every message.
"""
NGINX_CONF = """
worker_processes auto;  # one per core, as gunicorn gets
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp;
    fastcgi_temp_path {dir}/tmp; uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
    sendfile on; tcp_nopush on; keepalive_timeout 65; keepalive_requests 1000000;
    types {{
        text/html html; text/css css; application/rss+xml xml; audio/mpeg mp3;
        image/jpeg jpg;
    }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        gzip on; gzip_static on; gzip_vary on;
        gzip_types application/rss+xml text/css text/vtt application/json;
        location /feed.xml {{ expires 5m; add_header Cache-Control public; }}
        location /audio/ {{ expires 1d; }}
    }}
}}
"""


@dataclass(frozen=True, slots=True)
class Scenario:
    """One URL and its request headers, measured on both servers."""

    name: str
    path: str
    headers: tuple[str, ...] = ()
    conditional: bool = False  # add If-None-Match with the server's own ETag


def main() -> None:
    """Generate, export, serve twice, measure, print the table."""
    options = _options()
    work = Path(tempfile.mkdtemp(prefix="podcast-bench-"))
    work.chmod(0o755)  # nginx's workers run as nobody and must read the export
    try:
        _run(options, work)
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--rounds", type=int, default=3, help="runs per scenario; best kept")
    parser.add_argument("--gunicorn-args", default="", help="extra gunicorn options")
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    return parser.parse_args()


def _run(options: argparse.Namespace, work: Path) -> None:
    app_port, nginx_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{app_port}"
    show = work / "show"
    started = time.perf_counter()
    slug = make_show(show, options.episodes)
    print(
        f"generated {options.episodes} episodes in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    export(show, work / "site", base, slug)
    scenarios = [
        Scenario("feed 200", "/feed.xml"),
        Scenario("feed 304", "/feed.xml", conditional=True),
        Scenario("feed gzip", "/feed.xml", ("Accept-Encoding: gzip",)),
        Scenario("episode page", f"/episodes/{slug}/", ("Accept-Encoding: gzip",)),
        Scenario(
            "audio 64 KiB range", "/audio/season-01/001-episode.mp3", ("Range: bytes=0-65535",)
        ),
    ]
    scenarios = [s for s in scenarios if options.only in s.name]
    with ExitStack() as running:
        config = {"EPISODES_ROOT": show, "BASE_URL": base}
        app = running.enter_context(
            Gunicorn(
                show,
                work / "gunicorn.log",
                factory(config),
                workers=None,  # gunicorn.conf.py's: one per core
                port=app_port,
                options=options.gunicorn_args.split(),
            )
        )
        running.enter_context(start_nginx(work / "site", nginx_port, work / "nginx"))
        rows = []
        memory = [("after start", _workers_rss(app))]
        for scenario in scenarios:
            servers = {"app": app_port, "nginx": nginx_port}
            requests = {}
            for name, port in servers.items():
                url = f"http://127.0.0.1:{port}{scenario.path}"
                headers = list(scenario.headers)
                if scenario.conditional:
                    headers.append(f"If-None-Match: {_etag(url)}")
                requests[name] = (url, headers)
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
            for _ in range(options.rounds):  # alternate, so both see the same neighbours
                for name, (url, headers) in requests.items():
                    runs[name].append(wrk(url, headers, options))
            rows.append(
                (scenario, {name: max(r, key=lambda r: r["rps"]) for name, r in runs.items()})
            )
            memory.append((f"after {scenario.name}", _workers_rss(app)))
        print(_table(rows, memory, options))


def make_show(root: Path, count: int) -> str:
    """A show of `count` episodes in ten seasons; returns the slug of the newest episode."""
    shipped = default_root()
    root.mkdir(parents=True)
    shutil.copy(shipped / "show.yaml", root / "show.yaml")
    shutil.copy(shipped / "artwork.jpg", root / "artwork.jpg")
    audio = root / "source.mp3.tmp"  # not an audio extension: the catalog ignores it
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=10",  # 80 KB: room for a 64 KiB range
            "-ac",
            "1",
            "-b:a",
            "64k",
            "-f",
            "mp3",
            str(audio),
        ],
        check=True,
    )
    start = datetime(2015, 1, 6, 12, tzinfo=UTC)
    per_season = max(1, count // 10)
    for index in range(count):
        season, number = index // per_season + 1, index % per_season + 1
        folder = root / f"season-{season:02d}"
        folder.mkdir(exist_ok=True)
        stem = f"{number:03d}-episode"
        shutil.copyfile(audio, folder / f"{stem}.mp3")  # a hard link is one file, a duplicate
        published = (start + timedelta(days=3 * index)).isoformat()
        guid = uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{index}")
        notes = "\n".join("  " + line for line in NOTES.splitlines())
        (folder / f"{stem}.yaml").write_text(
            f"title: Synthetic episode {index + 1}\nseason: {season}\nepisode: {number}\n"
            f"published: {published}\ntype: full\nguid: {guid}\n"
            f"summary: A synthetic episode for the HTTP benchmark, number {index + 1}.\n"
            f"notes: |\n{notes}\n",
            encoding="utf-8",
        )
    audio.unlink()
    return f"s{season}-{stem}"


def export(show: Path, site: Path, base: str, slug: str) -> None:
    """The measured URLs as static files, rendered by the app itself, plus the audio."""
    app = create_app({"EPISODES_ROOT": show, "BASE_URL": base, "RELOAD_INTERVAL": None})
    client = app.test_client()
    for path, target in (
        ("/feed.xml", "feed.xml"),
        (f"/episodes/{slug}/", f"episodes/{slug}/index.html"),
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status)
        (site / target).parent.mkdir(parents=True, exist_ok=True)
        (site / target).write_bytes(response.data)
        (site / f"{target}.gz").write_bytes(gzip.compress(response.data, 6, mtime=0))
    for audio in show.glob("season-*/*.mp3"):
        target = site / "audio" / audio.relative_to(show)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(audio, target)


@contextmanager
def start_nginx(site: Path, port: int, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """nginx serving the export, configured in a scratch prefix (no root config touched)."""
    (folder / "tmp").mkdir(parents=True)
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=folder, port=port, root=site), encoding="utf-8")
    with _stopped_at_exit(
        subprocess.Popen(["nginx", "-p", str(folder), "-c", str(conf), "-g", "daemon off;"])
    ) as process:
        _wait_until_up(f"http://127.0.0.1:{port}/feed.xml", process)
        yield process


@contextmanager
def _stopped_at_exit(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def wrk(url: str, headers: list[str], options: argparse.Namespace) -> dict[str, float]:
    """One wrk run: requests/s, latency percentiles (ms) and errors."""
    command = [
        "wrk",
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{options.duration}s",
        "--latency",
    ]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    # wrk counts 4xx/5xx as "Non-2xx or 3xx responses", and socket errors by kind
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    failures = re.search(r"Socket errors: (.*)", output)
    errors += sum(int(n) for n in re.findall(r"\d+", failures.group(1))) if failures else 0
    return {
        "rps": _number(r"Requests/sec:\s+([\d.]+)", output),
        "p50": _ms(r"50%\s+([\d.]+\w+)", output),
        "p99": _ms(r"99%\s+([\d.]+\w+)", output),
        "errors": errors,
    }


def _number(pattern: str, output: str) -> float:
    found = re.search(pattern, output)
    return float(found.group(1)) if found else math.nan


def _ms(pattern: str, output: str) -> float:
    found = re.search(pattern, output)
    if not found:
        return math.nan
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", found.group(1)).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _etag(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        return str(response.headers["ETag"])


def _workers_rss(app: Gunicorn) -> list[int]:
    """Resident memory of each gunicorn worker, in KiB."""
    return sorted(app.rss_kib(app.worker_pids()).values())


def _table(
    rows: list[tuple[Scenario, dict[str, dict[str, float]]]],
    memory: list[tuple[str, list[int]]],
    options: argparse.Namespace,
) -> str:
    lines = [
        f"wrk -t{options.threads} -c{options.connections} -d{options.duration}s, "
        f"best of {options.rounds}; {options.episodes} episodes",
        "",
        "| scenario | app req/s | nginx req/s | app/nginx | app p50 / p99 ms "
        "| nginx p50 / p99 ms | errors app / nginx |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario, results in rows:
        app, nginx = results["app"], results["nginx"]
        lines.append(
            f"| {scenario.name} | {app['rps']:,.0f} | {nginx['rps']:,.0f} "
            f"| {app['rps'] / nginx['rps']:.0%} | {app['p50']:.2f} / {app['p99']:.2f} "
            f"| {nginx['p50']:.2f} / {nginx['p99']:.2f} "
            f"| {app['errors']:.0f} / {nginx['errors']:.0f} |"
        )
    lines += [
        "",
        "| gunicorn workers' RSS (MiB) | " + " | ".join(name for name, _ in memory) + " |",
        "|---|" + "---:|" * len(memory),
    ]
    lines.append(
        "| each worker | "
        + " | ".join(", ".join(f"{kib / 1024:.1f}" for kib in sizes) for _, sizes in memory)
        + " |"
    )
    return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer {url}")


if __name__ == "__main__":
    main()
