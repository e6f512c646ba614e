#!/usr/bin/env python3
"""Search at scale (run by hand, not a test): index build time, memory and query latency.

    python benchmarks/search.py [EPISODES] [CUES_PER_TRANSCRIPT]

Makes a synthetic catalog in memory (default 5,000 episodes, each with notes, a guest and a
WebVTT transcript of 200 cues written to a temporary folder), builds the index once (timed),
then times warm queries (30 runs each; the first also reads the 20 result transcripts) and
reports medians and 95th percentiles.
"""

from __future__ import annotations

import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from podcast.model import Audio, Catalog, Episode, EpisodeType, Person, Transcript
from podcast.read.catalog import default_root, load
from podcast.render.search import SearchIndex

COMMON = (
    "health equity care community trust access patients clinic doctors nurses families "
    "emergency listening policy insurance housing food transportation language data"
).split()


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Made-up words with a Zipf-like spread, plus the show's common words."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    made = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(size)]
    return COMMON * 200 + made


def sentence(rng: random.Random, words: list[str], length: int) -> str:
    """A line of `length` words drawn from the vocabulary."""
    return " ".join(rng.choice(words) for _ in range(length)).capitalize() + "."


def make_catalog(count: int, cues: int, folder: Path) -> Catalog:
    """`count` episodes sharing one real audio file's probe, each with its own transcript."""
    shipped = load(default_root())
    audio: Audio = shipped.episodes[0].audio
    rng = random.Random(6)
    words = vocabulary(rng)
    episodes = []
    start = datetime(2010, 1, 1, tzinfo=UTC)
    for n in range(count):
        transcript = folder / f"{n}.vtt"
        lines = ["WEBVTT", ""]
        for c in range(cues):
            lines += [
                f"00:{c // 6:02d}:{c % 6 * 10:02d}.000 --> "
                f"00:{c // 6:02d}:{c % 6 * 10 + 9:02d}.000",
                f"<v Host {c % 2}>{sentence(rng, words, 12)}</v>",
                "",
            ]
        transcript.write_text("\n".join(lines), encoding="utf-8")
        episodes.append(
            Episode(
                source=folder / f"{n}.yaml",
                slug=f"s{n // 100 + 1}-{n}",
                title=sentence(rng, words, 5),
                season=n // 100 + 1,
                number=n % 100 + 1,
                published=start + timedelta(days=n),
                type=EpisodeType.FULL,
                guid=f"guid-{n}",
                audio=audio,
                summary=sentence(rng, words, 20),
                notes="\n\n".join(sentence(rng, words, 40) for _ in range(5)),
                guests=(Person(f"Guest {sentence(rng, words, 2)}", "guest"),),
                transcripts=(Transcript(transcript, "text/vtt", "en"),),
            )
        )
    return Catalog(folder, shipped.show, tuple(reversed(episodes)))


def timed(function, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median and 95th percentile of `repeat` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        function()
        times.append((time.perf_counter() - begin) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def main() -> None:
    """Build, measure, print a table."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    cues = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as folder:
        catalog = make_catalog(count, cues, Path(folder))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        begin = time.perf_counter()
        index = SearchIndex(catalog)
        build = time.perf_counter() - begin
        memory = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(
            f"{count} episodes, {cues} cues each: index built in {build:.1f} s, "
            f"{memory:.0f} MiB more peak memory (RSS) while building"
        )
        visible = catalog.episodes
        for query in (
            "health",
            "health equity",
            "trust listening clinic",
            "trans",
            catalog.episodes[1234 % count].title.split()[2],
            "zzzznotaword",
        ):
            found = index.search(query, visible)
            median, p95 = timed(lambda q=query: index.search(q, visible), 30)
            print(
                f"  index.search({query!r:28}) {found.total:5} hits  "
                f"median {median:6.2f} ms  p95 {p95:6.2f} ms"
            )


if __name__ == "__main__":
    main()
