"""Serve a show on a free loopback port for the browser tests; prints the port, then serves.

Run as `python serve_show.py EPISODES_ROOT`: a real server process (Werkzeug's threaded server, the
one `podcast serve` uses), with the clock fixed so the sample episodes are all published.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.serving import make_server

from podcast.site.app import create_app

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # the same fixed "now" as tests/conftest.py


def main() -> None:
    """Bind 127.0.0.1:0, tell the parent which port the OS chose, serve until killed."""
    app = create_app({"EPISODES_ROOT": sys.argv[1], "CLOCK": lambda: NOW})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve a static export with Python's own http.server on a free loopback port."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
            str(folder),
        ],
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


if __name__ == "__main__":
    main()
