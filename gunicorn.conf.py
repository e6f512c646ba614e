"""gunicorn settings for the podcast site: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sized for a small machine (2 cores; see docs/serving.md and benchmarks/http for the figures):
one process per core, since rendering is Python and holds the GIL, and a few threads in each,
since audio downloads mostly wait on the network and must not hold a whole process. Every
setting can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

from __future__ import annotations

import logging
import os
from typing import Any

bind = os.environ.get("PODCAST_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0))))
worker_class = "gthread"
threads = int(os.environ.get("PODCAST_THREADS", "4"))
# Read (and probe) the catalog once, before forking: workers start at once and share its pages.
preload_app = True
keepalive = 5  # seconds an idle keep-alive connection is held for apps and nginx
timeout = 30
graceful_timeout = 30
# gunicorn 25.1+ opens a control socket at one path per user: two sites on one host would
# fight over it. Set control_socket to a path of the site's own to use gunicornc.
control_socket_disable = True
# Behind nginx on this machine, trust its X-Forwarded-Proto so feed links say https.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The access log `podcast stats` counts: combined plus the Range header (docs/stats.md), the
# same as nginx's `podcast` log_format. Write it with --access-logfile (off by default).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" "%({range}i)s"'


def on_starting(server: Any) -> None:
    """Send the app's log (reloads, and each problem with file:line) to gunicorn's error log."""
    app_log = logging.getLogger("podcast")
    app_log.setLevel(logging.INFO)
    for handler in logging.getLogger("gunicorn.error").handlers:
        app_log.addHandler(handler)
