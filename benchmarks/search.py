#!/usr/bin/env python3
"""Search at scale (run by hand, not a test): index build, first search, query latency.

    python benchmarks/search.py [EPISODES] [CUES_PER_TRANSCRIPT]

Makes a synthetic catalog in memory (default 5,000 episodes, each with notes, a guest and a
WebVTT transcript of 200 cues written to a temporary folder), then, as a server would: asks for
a search the moment the index starts building (answered at once, "being prepared"), waits for
the index file (timed), opens it again as a restarted worker would and answers a first search
(timed), and times warm queries (30 runs each; the first also reads the 20 result transcripts),
reporting medians and 95th percentiles. The cache directory is a temporary one.

Queries come in two kinds, reported apart: single words (common, prefixes that stand for many
words, rare, absent) and several words (common pairs such as "health equity", a stop word with
a common word, rare words with common ones, four common words, a common word with an absent
one). The p95 of each kind is over every timed run of every query of that kind.
"""

from __future__ import annotations

import os
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
from podcast.render import search_cache
from podcast.render.search import SearchIndex, words
from podcast.render.search_cache import IndexCache

COMMON = (
    "health equity care community trust access patients clinic doctors nurses families "
    "emergency listening policy insurance housing food transportation language data"
).split()
# Longer words the common ones begin, so that a query word stands for several (as in English)
FORMS = (
    "healthy healthcare healthier equitable cared career caring careful communities communal "
    "communication trusted trusting accessible clinical clinician clinics patient policies"
).split()


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Made-up words with a Zipf-like spread, plus the show's common words."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    made = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(size)]
    return COMMON * 200 + FORMS * 40 + made


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


def timed(function, repeat: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Wall-clock and CPU milliseconds of `repeat` calls (CPU time is what a busy shared
    machine cannot inflate)."""
    times, cpu = [], []
    for _ in range(repeat):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        function()
        times.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
    return times, cpu


def rare_words(catalog: Catalog, wanted: int) -> list[str]:
    """Made-up title words (in a few hundred episodes each), from episodes across the catalog."""
    found: list[str] = []
    for episode in catalog.episodes[1234 % len(catalog.episodes) :: 97]:
        found += [w for w in words(episode.title) if w not in COMMON + FORMS and w not in found]
    return found[:wanted]


def percentile(values: list[float], n: int = 95) -> float:
    """The n-th percentile of `values`."""
    return statistics.quantiles(values, n=100)[n - 1]


def first_search_while_building(catalog: Catalog) -> tuple[float, float]:
    """A server just started on a catalog with no index yet: (ms to answer, s until ready)."""
    cache = IndexCache()
    begin = time.perf_counter()
    cache.prepare(catalog)
    answer = cache.get(catalog)  # what the search view asks: None means "being prepared"
    answered = (time.perf_counter() - begin) * 1000
    assert answer is None, "the index was ready before it was built?"
    cache.wait()
    return answered, time.perf_counter() - begin


def first_search_after_restart(catalog: Catalog, query: str) -> float:
    """A worker (re)started with the index file in place: ms to key, open and answer."""
    begin = time.perf_counter()
    index = search_cache.open_index(catalog, search_cache.ensure_file(catalog))
    index.search(query, catalog.episodes)
    return (time.perf_counter() - begin) * 1000


def main() -> None:
    """Build, measure, print a table."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    cues = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CACHE_HOME"] = str(Path(folder) / "cache")
        catalog = make_catalog(count, cues, Path(folder))
        print(f"{count} episodes, {cues} cues each")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        answered, ready = first_search_while_building(catalog)
        memory = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(f"  first search while the index is built: answered in {answered:.1f} ms (503)")
        print(
            f"  index file built in the background: ready after {ready:.1f} s, "
            f"{memory:.0f} MiB more peak RSS"
        )
        size = search_cache.index_path(catalog).stat().st_size / 2**20
        print(f"  index file: {size:.0f} MiB")
        begin = time.perf_counter()
        search_cache.index_key(catalog)
        keyed = (time.perf_counter() - begin) * 1000
        print(f"  catalog key (stat of every transcript): {keyed:.0f} ms")
        restart = first_search_after_restart(catalog, "health equity")
        print(f"  first search after a restart (key, open the file, answer): {restart:.0f} ms")
        index = search_cache.open_index(catalog, search_cache.index_path(catalog))
        visible = catalog.episodes
        rare = rare_words(catalog, 4)
        kinds = {
            "single": [
                "health",
                "community",
                "equity",
                "trans",
                "care",
                "com",
                rare[0],
                "zzzznotaword",
            ],
            "multi": [
                "health equity",
                "the community",
                "trust listening clinic",
                "health equity care access",
                f"{rare[1]} health",
                f"{rare[2]} {rare[3]}",
                "equity in housing policy",
                "community zzzznotaword",
            ],
        }
        for kind, asked in kinds.items():
            runs, firsts = [], []
            for query in asked:
                begin = time.perf_counter()
                found = index.search(query, visible)  # the first also reads the transcripts
                firsts.append((time.perf_counter() - begin) * 1000)
                times, cpu = timed(lambda q=query: index.search(q, visible), 30)
                runs += times
                print(
                    f"  {kind:6} {query!r:30} {found.total:5} hits  median "
                    f"{statistics.median(times):6.2f} ms  p95 {percentile(times):6.2f} ms  "
                    f"(CPU p95 {percentile(cpu):6.2f} ms)"
                )
            print(
                f"  {kind}-word queries: p50 {statistics.median(runs):.2f} ms, "
                f"p95 {percentile(runs):.2f} ms over {len(runs)} runs; first run of each "
                f"(transcripts read): worst {max(firsts):.1f} ms"
            )
        print(f"  load average during the run: {os.getloadavg()[0]:.1f}")
        changed = catalog.episodes[0].transcript
        assert changed is not None
        changed.path.write_text(changed.path.read_text("utf-8") + "\n", "utf-8")
        begin = time.perf_counter()
        search_cache.ensure_file(catalog)
        print(
            f"  rebuild after one transcript changed (the others' words recalled): "
            f"{time.perf_counter() - begin:.1f} s"
        )
        begin = time.perf_counter()
        SearchIndex(catalog)
        print(f"  (in-memory index, as before: built in {time.perf_counter() - begin:.1f} s)")


if __name__ == "__main__":
    main()
