"""Load: N concurrent clients against gunicorn on 127.0.0.1 for a bounded time.

Run by hand (not a test):

    python benchmarks/load.py --clients 50 --seconds 60

It starts `gunicorn -c gunicorn.conf.py wsgi:app` on an ephemeral loopback port serving the
episodes folder (--root, default the shipped show), warms it up, then lets the clients fetch the
feed, the home, season and episode pages, and audio byte ranges (the iOS `bytes=0-1` probe and
random 64 KiB ranges) in a fixed mix. It reports requests served, errors by kind, throughput,
and the resident memory (RSS) of the gunicorn master and workers before and after the run.
"""

from __future__ import annotations

import argparse
import http.client
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # the package, and the tests' server launcher

from support.servers import Gunicorn  # noqa: E402

from podcast.read.catalog import default_root, load  # noqa: E402
from podcast.render.urls import audio_path  # noqa: E402


class Client(threading.Thread):
    """Fetches a weighted mix of URLs until the deadline; counts outcomes."""

    def __init__(
        self, port: int, targets: list[tuple[str, str, int]], deadline: float, seed: int
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.targets, self.deadline = port, targets, deadline
        self.random = random.Random(seed)
        self.outcomes: Counter[str] = Counter()
        self.bytes = 0

    def run(self) -> None:
        weights = [weight for _, _, weight in self.targets]
        while time.monotonic() < self.deadline:
            kind, path, _ = self.random.choices(self.targets, weights)[0]
            headers, expect = {}, 200
            if kind.startswith("audio:"):
                size = int(kind.split(":")[1])
                if self.random.random() < 0.3:
                    first, last = 0, 1  # the iOS probe
                else:
                    first = self.random.randrange(0, max(1, size - 65536))
                    last = min(size - 1, first + 65535)
                headers["Range"] = f"bytes={first}-{last}"
                expect = 206
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                connection.close()
            except (OSError, http.client.HTTPException) as exc:
                self.outcomes[f"error: {type(exc).__name__}"] += 1
                continue
            if response.status != expect:
                self.outcomes[f"error: HTTP {response.status} for {path}"] += 1
            elif expect == 206 and len(body) != last - first + 1:
                self.outcomes["error: short range"] += 1
            else:
                self.outcomes["ok"] += 1
                self.bytes += len(body)


def targets_for(root: Path) -> list[tuple[str, str, int]]:
    """(kind, path, weight): the feed most, pages and audio ranges alike."""
    catalog = load(root)
    episodes = catalog.episodes
    result = [("feed", "/feed.xml", 40), ("page", "/", 10)]
    for season in sorted({e.season for e in episodes}):
        result.append(("page", f"/seasons/{season}/", 2))
    for episode in episodes:
        result.append(("page", f"/episodes/{episode.slug}/", 3))
        result.append((f"audio:{episode.audio.size}", "/audio/" + audio_path(catalog, episode), 4))
    return result


def main() -> None:
    """Run the load and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--root", type=Path, default=None)
    args = parser.parse_args()
    root = (args.root or default_root()).absolute()
    targets = targets_for(root)
    with tempfile.TemporaryDirectory() as folder:
        with Gunicorn(root, Path(folder) / "gunicorn.log", workers=args.workers) as server:
            port = server.port
            warm = time.monotonic() + 10  # every worker renders every page a few times
            warmers = [Client(port, targets, warm, -seed) for seed in range(1, 9)]
            for client in warmers:
                client.start()
            for client in warmers:
                client.join()
            before = server.rss_kib()
            deadline = time.monotonic() + args.seconds
            clients = [Client(port, targets, deadline, seed) for seed in range(args.clients)]
            started = time.monotonic()
            for client in clients:
                client.start()
            samples = []
            while any(client.is_alive() for client in clients):
                time.sleep(min(5.0, max(0.1, deadline - time.monotonic())))
                samples.append((time.monotonic() - started, sum(server.rss_kib().values())))
            elapsed = time.monotonic() - started
            after = server.rss_kib()
        log = server.logged()
    outcomes: Counter[str] = Counter()
    for client in clients:
        outcomes.update(client.outcomes)
    served = outcomes.pop("ok", 0)
    errors = sum(outcomes.values())
    print(f"clients {args.clients}, workers {args.workers}, {elapsed:.1f} s, show {root}")
    print(
        f"requests served {served}, errors {errors}, {served / elapsed:.0f} req/s, "
        f"{sum(c.bytes for c in clients) / 1e6:.1f} MB"
    )
    for kind, count in outcomes.most_common():
        print(f"  {count} × {kind}")
    print(
        f"RSS before {sum(before.values()) / 1024:.1f} MiB ({len(before)} processes), "
        f"after {sum(after.values()) / 1024:.1f} MiB ({len(after)} processes)"
    )
    print(
        "RSS during the run (all processes): "
        + ", ".join(f"{t:.0f} s {kib / 1024:.1f} MiB" for t, kib in samples)
    )
    for pid in sorted(before):
        print(f"  pid {pid}: {before[pid]} KiB -> {after.get(pid, 0)} KiB")
    print(f"tracebacks in the server log: {log.count('Traceback')}")


if __name__ == "__main__":
    main()
