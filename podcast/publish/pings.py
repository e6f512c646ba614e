"""Tell the apps a new feed is live: WebSub hubs, the Podcast Index, Podping.

Each is optional and configured in show.yaml (`hubs:`, `pubnotify:`, `podping:`). Every ping
is retried with back-off; one that still fails is a warning, never a failed deploy: the feed
is already live, and apps poll it anyway.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlencode

from podcast import __version__
from podcast.model import Show

PODPING_TOKEN = "PODPING_TOKEN"  # the environment variable holding the podping.cloud token
ATTEMPTS = 3
TIMEOUT = 10.0
USER_AGENT = f"OffTheChartsPublisher/{__version__}"


def ping_all(
    show: Show, feed_url: str, back_off: float = 1.0, sleep: Callable[[float], None] = time.sleep
) -> list[str]:
    """Send every configured ping for `feed_url`; the warnings of those that failed."""
    requests = [websub(hub, feed_url) for hub in show.hubs]
    if show.pubnotify:
        requests.append(_get(show.pubnotify, {"url": feed_url}))
    warnings = []
    if show.podping:
        token = os.environ.get(PODPING_TOKEN)
        if token:
            requests.append(_get(show.podping, {"url": feed_url}, {"Authorization": token}))
        else:
            warnings.append(f"podping skipped: set {PODPING_TOKEN} to the podping.cloud token")
    for request in requests:
        problem = send(request, back_off, sleep)
        if problem:
            warnings.append(problem)
    return warnings


def websub(hub: str, feed_url: str) -> urllib.request.Request:
    """The WebSub publish notification: a form POST of hub.mode=publish and hub.url."""
    body = urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode()
    return urllib.request.Request(
        hub,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT},
    )


def _get(
    url: str, query: dict[str, str], headers: dict[str, str] | None = None
) -> urllib.request.Request:
    joined = url + ("&" if "?" in url else "?") + urlencode(query)
    return urllib.request.Request(joined, headers={"User-Agent": USER_AGENT, **(headers or {})})


def send(
    request: urllib.request.Request, back_off: float, sleep: Callable[[float], None]
) -> str | None:
    """Send with retries (back-off doubling); None on a 2xx, else the last problem."""
    problem = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            sleep(back_off * 2 ** (attempt - 1))
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                if 200 <= response.status < 300:
                    return None
                problem = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code != 429:
                break  # a refusal, not a hiccup: retrying will not help
        except (urllib.error.URLError, OSError) as exc:
            problem = str(getattr(exc, "reason", exc))
    host = request.full_url.split("?")[0]
    return f"ping to {host} failed ({problem}); apps will still find the feed when they poll"
