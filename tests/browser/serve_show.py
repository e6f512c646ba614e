"""Serve a show on a free loopback port for the browser tests; prints the port, then serves.

Run as `python serve_show.py EPISODES_ROOT`: a real server process (Werkzeug's threaded server, the
one `podcast serve` uses), with the clock fixed so the sample episodes are all published.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from werkzeug.serving import make_server

from podcast.web import create_app

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # the same fixed "now" as tests/conftest.py


def main() -> None:
    """Bind 127.0.0.1:0, tell the parent which port the OS chose, serve until killed."""
    app = create_app({"EPISODES_ROOT": sys.argv[1], "CLOCK": lambda: NOW})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
