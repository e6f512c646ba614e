"""Benchmark `podcast stats` on a generated log (run by hand; not a test).

    .venv/bin/python benchmarks/stats.py [--lines 10000000] [--keep]

Writes a `podcast`-format log (combined + Range) spread over 30 days: 60% audio requests by
100,000 listeners (Range requests, probes, HEADs, bots), 15% feed fetches, the
rest pages and assets. Then counts it with the shipped show, in this process, and prints
lines per second and the peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from podcast.read.catalog import default_root, load
from podcast.render.urls import audio_path
from podcast.stats.count import Options
from podcast.stats.run import stats

AGENTS = [
    "AppleCoreMedia/1.0.0.20E252 (iPhone; U; CPU OS 16_4_1 like Mac OS X; en_us)",
    "Podcasts/1650.20 CFNetwork/1404.0.5 Darwin/22.3.0",
    "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)",
    "Spotify/8.8.12 iOS/16.4.1 (iPhone15,2)",
    "Pocket Casts",
    "PodcastAddict/v5 (+https://podcastaddict.com/; Android podcast app)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
    "atc/1.0 watchOS/7.1 model/Watch5,1 hwp/t8006 build/18R590 (6; dt:201)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
LISTENERS = 100_000  # distinct address + app pairs over the month
PAGES = ["/", "/episodes/", "/static/style.css", "/static/player.js", "/artwork.jpg"]


def generate(path: Path, lines: int) -> None:
    """Write `lines` log lines, in time order, over 30 days."""
    rng = random.Random(1)
    catalog = load(default_root())
    audio = [("/audio/" + audio_path(catalog, e), e.audio.size) for e in catalog.episodes]
    agents = AGENTS + [
        f"Podcasts/{1600 + i}.1 CFNetwork/1404.0.5 Darwin/22.3.0" for i in range(300)
    ]
    start = datetime(2026, 3, 1, tzinfo=UTC)
    step = timedelta(days=30) / lines
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        for i in range(lines):
            moment = (start + step * i).strftime("%d/%b/%Y:%H:%M:%S +0000")
            listener = rng.randrange(LISTENERS)  # the same address keeps the same app
            ip = f"10.{listener >> 16}.{(listener >> 8) & 255}.{listener & 255}"
            agent = agents[listener % len(agents)]
            roll = rng.random()
            if roll < 0.60:
                target, size = audio[rng.randrange(len(audio))]
                low = rng.choice((0, 0, 0, size // 2))
                if rng.random() < 0.1:
                    request, status, sent, span = "GET", 206, 2, "bytes=0-1"
                else:
                    request, status, sent, span = "GET", 206, size - low, f"bytes={low}-"
                if rng.random() < 0.03:
                    request, status, sent = "HEAD", 200, 0
            elif roll < 0.75:
                target, request, status, sent, span = "/feed.xml", "GET", 200, 48000, "-"
            else:
                target, request, status, sent, span = rng.choice(PAGES), "GET", 200, 5120, "-"
            out.write(
                f'{ip} - - [{moment}] "{request} {target} HTTP/1.1" {status} {sent} '
                f'"-" "{agent}" "{span}"\n'
            )


def main() -> None:
    """Generate, count, report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated log")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="stats-bench-"))
    log = folder / "access.log"
    began = time.perf_counter()
    generate(log, args.lines)
    print(
        f"generated {args.lines:,} lines ({log.stat().st_size / 1e9:.2f} GB) in "
        f"{time.perf_counter() - began:.0f} s"
    )
    began, cpu = time.perf_counter(), time.process_time()
    report = stats(default_root(), [str(log)], Options())
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"counted {report['downloads']:,} downloads in {elapsed:.1f} s: "
        f"{args.lines / elapsed:,.0f} lines/s ({args.lines / cpu:,.0f} per CPU second); "
        f"peak RSS {peak:.0f} MiB; load average {os.getloadavg()[0]:.1f}"
    )
    if not args.keep:
        log.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
