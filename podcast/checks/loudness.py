"""Loudness: integrated loudness (ITU-R BS.1770) and true peak of every episode, against Apple's
recommendation of -16 LUFS ±1 dB with true peak at or below -1 dBTP.

ffmpeg's `ebur128` filter (with `peak=true`) measures both while decoding as a stream, so an
hour of audio costs bounded memory whatever its format; a library that loads a whole episode
as floats needs gigabytes for an hour and has no true peak. Results are cached in the user's
cache directory keyed by (path, size, mtime_ns), so a warm `check` only stats the files.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from podcast.errors import Problem, Severity
from podcast.files import FileFacts, cache_dir
from podcast.model import Audio, Catalog, Episode

RULE = "loudness"
TARGET_LUFS, TOLERANCE_DB, TRUE_PEAK_MAX = -16.0, 1.0, -1.0  # Apple's recommendation
CACHE_FILE = "loudness-v1.json"
MAX_CACHE_BYTES = 64 * 2**20
RECENT = timedelta(days=14)  # a show published every other week: its latest episode
BUDGET = timedelta(minutes=10)  # of back-catalog audio measured unasked: about 2 CPU-seconds
CPU_SECONDS_PER_HOUR = 11.0  # ebur128 with true peak, measured by benchmarks/loudness.py
SUMMARY = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS.*?Peak:\s+(-?[\d.]+|-inf) dBFS", re.S)


@dataclass(frozen=True, slots=True)
class Loudness:
    """What ebur128 measured: integrated loudness in LUFS and true peak in dBTP."""

    integrated: float
    true_peak: float


class MeasureError(Exception):
    """ffmpeg could not measure a file (missing, or the audio does not decode)."""


def measure(path: Path) -> Loudness:
    """Integrated loudness and true peak of `path`'s first audio stream, decoded as a stream."""
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path)]
    # framelog=verbose: the per-100 ms lines stay out of stderr, only the summary is printed
    command += ["-map", "0:a:0", "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    except FileNotFoundError as exc:
        raise MeasureError("ffmpeg is not installed") from exc
    found = SUMMARY.search(done.stderr.rsplit("Summary:", 1)[-1])
    if done.returncode != 0 or found is None:
        last = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise MeasureError(f"ffmpeg could not decode it ({last[0]})")
    return Loudness(float(found.group(1)), float(found.group(2)))


def check(
    catalog: Catalog, now: datetime, everything: bool = False, budget: timedelta = BUDGET
) -> list[Problem]:
    """Warnings for episodes outside Apple's loudness range.

    Every figure already measured is judged. Audio not yet measured is measured for the
    episodes a producer is about to publish or just did (drafts, scheduled, and those released
    in the last RECENT); the back catalog too while it holds under `budget` of audio (a couple
    of CPU-seconds), or when `everything` is asked (`podcast check --loudness`). Decoding a
    long back catalog costs minutes of CPU an hour of audio, and a routine check must stay
    instant: one notice counts what was left unmeasured, one says if ffmpeg is missing. Audio
    kept at another host (no local file) is not measured.
    """
    cache = LoudnessCache(catalog.root)
    local = [(e.audio.path, e) for e in catalog.episodes if e.audio.path is not None]
    levels = {path: cache.measured(path) for path, _ in local}  # one stat each
    stale = [(path, e) for path, e in local if levels[path] is None]
    waiting = [] if everything else [e for _, e in stale if not _due(e, now)]
    if sum((e.audio.duration for e in waiting), timedelta()) <= budget:
        waiting = []  # the back catalog is small enough to measure now
    left = {id(e) for e in waiting}
    due = [path for path, e in stale if id(e) not in left]
    problems = [_unmeasured(waiting)] if waiting else []
    if due and shutil.which("ffmpeg") is None:
        return [*problems, _ffmpeg_missing(len(due))]
    problems += _measure_all(cache, due)
    cache.save()
    for path, episode in local:
        level = levels[path] or cache.measured(path)
        if level is not None:
            problems += _judge(path, episode.audio, level)
    return problems


def _due(episode: Episode, now: datetime) -> bool:
    """Whether the episode is measured on a routine check: not public yet, or only just."""
    return episode.is_draft(now) or episode.published > now - RECENT


def _unmeasured(waiting: list[Episode]) -> Problem:
    """The notice for the published episodes a routine check leaves unmeasured, with the cost."""
    hours = sum(e.audio.duration.total_seconds() for e in waiting) / 3600
    minutes = hours * CPU_SECONDS_PER_HOUR / (os.cpu_count() or 1) / 60
    return Problem(
        None,
        None,
        f"loudness not measured for {len(waiting)} published episode(s) ({hours:.1f} h of audio)",
        f"run `podcast check --loudness` once to measure them (about {max(minutes, 0.1):.1f} "
        "min here); the figures are cached, so later checks judge them at no cost",
        Severity.INFO,
        RULE,
    )


def _measure_all(cache: LoudnessCache, paths: list[Path]) -> Iterator[Problem]:
    """Measure the files at `paths` in parallel (one ffmpeg per core) into the cache."""

    def one(path: Path) -> Problem | None:
        try:
            cache.remember(path, measure(path))
        except MeasureError as exc:
            return _problem(path, f"loudness not measured: {exc}", "", Severity.INFO)
        return None

    if not paths:
        return
    from concurrent.futures import ThreadPoolExecutor  # only when measuring: a warm check never

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        yield from (p for p in pool.map(one, paths) if p is not None)


def _judge(path: Path, audio: Audio, level: Loudness) -> Iterable[Problem]:
    """A warning per measure outside Apple's recommendation, with the fix."""
    hint = _loudnorm_hint(path, audio)
    if abs(level.integrated - TARGET_LUFS) > TOLERANCE_DB:
        yield _problem(
            path,
            f"integrated loudness is {_db(level.integrated)} LUFS; Apple recommends "
            f"{TARGET_LUFS:.0f} LUFS ±{TOLERANCE_DB:.0f} dB",
            hint,
        )
    if level.true_peak > TRUE_PEAK_MAX:
        yield _problem(
            path,
            f"true peak is {_db(level.true_peak)} dBTP; Apple recommends at most "
            f"{TRUE_PEAK_MAX:.0f} dBTP",
            hint,
        )


def _loudnorm_hint(path: Path, audio: Audio) -> str:
    rate = f" -ar {audio.sample_rate}" if audio.sample_rate else ""
    return (
        f"normalize it: ffmpeg -i {path.name} -af loudnorm=I=-16:TP=-1.5:LRA=11{rate} "
        f"{path.stem}-normalized{path.suffix}, replace {path.name} with the result, then run "
        "`podcast tag --all`"
    )


def _db(value: float) -> str:
    return f"{value:.1f}" if math.isfinite(value) else "-inf"


def _problem(path: Path, message: str, hint: str, severity: Severity = Severity.WARNING) -> Problem:
    return Problem(path, None, message, hint, severity, RULE)


def _ffmpeg_missing(count: int) -> Problem:
    return Problem(
        None,
        None,
        f"loudness not measured for {count} episode(s): ffmpeg is not installed",
        "install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg) and run `podcast check` again",
        Severity.INFO,
        RULE,
    )


class LoudnessCache(FileFacts):
    """Measurements on disk in the user's cache directory, keyed by (path, size, mtime_ns)."""

    def __init__(self, root: Path) -> None:
        super().__init__(cache_dir(RULE, root) / CACHE_FILE, MAX_CACHE_BYTES)

    def measured(self, audio: Path) -> Loudness | None:
        """The cached measure of `audio` if the file is unchanged since, else None."""
        entry = self.get(audio)
        if entry is None:
            return None
        try:
            return Loudness(float(entry["integrated"]), float(entry["true_peak"]))
        except (KeyError, TypeError, ValueError):
            return None

    def remember(self, audio: Path, level: Loudness) -> None:
        """Keep `level` for `audio` as it is now."""
        self.put(audio, {"integrated": level.integrated, "true_peak": level.true_peak})
