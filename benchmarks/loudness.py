"""What the loudness rule costs (not a test): an hour of audio cold, and a warm `check`.

    python benchmarks/loudness.py [--minutes 60] [--episodes 1000] [--runs 5] [--workdir DIR]

1. Encodes a speech-like hour (pink noise gated at syllable rate) as 96 kbit/s mono MP3 and
   times `loudness.measure` on it: wall, CPU and the ffmpeg child's peak RSS.
2. On a synthetic show of --episodes episodes, times the loudness rule warm (its cache full:
   one stat per episode, no ffmpeg) inside a whole warm `audit`, and the warm catalog load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_show  # noqa: E402

from podcast.checks import audit as audit_module  # noqa: E402
from podcast.checks import loudness  # noqa: E402
from podcast.read import loader  # noqa: E402

SPEECHLIKE = (
    "anoisesrc=color=pink:sample_rate=44100:amplitude=0.3,"
    "volume='0.2+0.8*gt(sin(2*PI*4*t),0)':eval=frame"
)


def one_hour(folder: Path, minutes: int) -> Path:
    """A `minutes`-long speech-like MP3, made once per work folder."""
    path = folder / f"speech-{minutes}min.mp3"
    if not path.exists():
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", SPEECHLIKE]
            + ["-t", str(minutes * 60), "-ac", "1", "-c:a", "libmp3lame", "-b:a", "96k", str(path)],
            check=True,
        )
    return path


def cold_measure(path: Path, minutes: int) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    level = loudness.measure(path)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"measure {minutes} min MP3: {wall:.1f} s wall, {cpu:.1f} s CPU, "
        f"{minutes * 60 / wall:.0f}x real time, ffmpeg peak RSS {after.ru_maxrss / 1024:.0f} MB; "
        f"I {level.integrated} LUFS, TP {level.true_peak} dBTP"
    )


def warm_audit(folder: Path, count: int, runs: int) -> None:
    show = make_show(folder / f"show-{count}", count)
    catalog = loader.load(show)
    now = datetime.now(UTC)
    audit_module.audit(catalog, now)  # fills the loudness cache (files are tiny)
    rule, whole = [], []
    for _ in range(runs):
        start = time.perf_counter()
        found = loudness.check(catalog)
        rule.append(time.perf_counter() - start)
        start = time.perf_counter()
        audit_module.audit(catalog, now)
        whole.append(time.perf_counter() - start)
    print(
        f"warm, {count} episodes ({len(found)} loudness warnings): the loudness rule "
        f"{statistics.median(rule) * 1000:.1f} ms "
        f"({statistics.median(rule) / count * 1e6:.0f} µs an episode) of a "
        f"{statistics.median(whole) * 1000:.0f} ms audit"
    )
    start = time.perf_counter()
    loader.load(show)
    load_ms = (time.perf_counter() - start) * 1000
    print(f"for scale: the warm catalog load itself takes {load_ms:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="bench-loudness-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XDG_CACHE_HOME", str(folder / "cache"))
    cold_measure(one_hour(folder, args.minutes), args.minutes)
    warm_audit(folder, args.episodes, args.runs)


if __name__ == "__main__":
    main()
