#!/usr/bin/env python3
"""The app's own cost per request, without a server or a network: WSGI calls in one process.

Run by hand from the repository root:

    .venv/bin/python benchmarks/http/inprocess.py [--episodes 1000] [--requests 20000]

bench.py measures what a client sees through gunicorn, which on a small or shared machine is
mostly gunicorn's and the kernel's time; this isolates the part the app controls.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bench import make_show  # type: ignore[import-not-found]
from werkzeug.test import EnvironBuilder

from podcast.site.app import create_app


def main() -> None:
    """Generate a show, then time each scenario as a median of five batches."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20000)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="podcast-inprocess-"))
    try:
        slug = make_show(work / "show", options.episodes)
        app = create_app({"EPISODES_ROOT": work / "show", "BASE_URL": "http://127.0.0.1"})
        etag = app.test_client().get("/feed.xml").headers["ETag"]
        scenarios = {
            "feed 304": ("/feed.xml", {"If-None-Match": etag}),
            "feed gzip": ("/feed.xml", {"Accept-Encoding": "gzip"}),
            "episode page gzip": (f"/episodes/{slug}/", {"Accept-Encoding": "gzip"}),
            "audio 64 KiB range": ("/audio/season-01/001-episode.mp3", {"Range": "bytes=0-65535"}),
            "404": ("/episodes/nothing-here/", {}),
        }
        print(f"{options.episodes} episodes, {options.requests} requests per batch")
        for name, (path, headers) in scenarios.items():
            print(f"{name:>20}: {_per_request(app, path, headers, options.requests):7.1f} µs")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _per_request(app: object, path: str, headers: dict[str, str], count: int) -> float:
    environ = EnvironBuilder(path, headers=headers).get_environ()

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        pass

    batches = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(count // 5):
            body = app(dict(environ), start_response)  # type: ignore[operator]
            for _chunk in body:
                pass
            getattr(body, "close", lambda: None)()
        batches.append((time.perf_counter() - started) / (count // 5) * 1e6)
    return sorted(batches)[2]


if __name__ == "__main__":
    main()
