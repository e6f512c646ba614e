"""Read whole episodes ahead in worker processes when the memory of earlier loads lacks them.

A cold load is CPU-bound Python in two halves of about equal weight: the YAML (with the paths
it names) and the audio. A worker that only probed audio sat idle a third of a cold `check`
while this process read the YAML. Here a worker loads each episode as `catalog.load` does,
remembers it in its own `EpisodeMemory` and hands back the line the memory's cache file holds
for it, with the probes it made. This process `adopt`s them; the catalog's load then recalls
them like a warm load, which also checks that none of their files changed in between.

Episodes go out in chunks in the catalog's order. When this process would wait for one, it
loads the last chunk no worker has started itself (`parallel.Background`): on two cores, this
process and one worker each read about half, and neither waits for the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podcast.errors import Problem
from podcast.model import Episode, Show
from podcast.read import parallel, variants
from podcast.read.episode import load_episode
from podcast.read.memory import EpisodeMemory
from podcast.read.paths import forget_listings
from podcast.read.probe_cache import ProbeCache
from podcast.read.show import load_show
from podcast.read.yamlfile import Fields

MINIMUM = 64  # episodes to read before a worker pays for its start (~20 ms)
Delivered = tuple[bytes, dict[str, dict[str, Any]]]  # the memory's line for it, probes made


@dataclass
class _Work:
    """What a worker loads with: set in this process before the workers fork, so each starts
    with it (and with the probe cache as read so far); the rest is made in each worker."""

    root: Path
    probes: ProbeCache
    started: bool = False
    show: Show | None = None
    memory: EpisodeMemory | None = None


_WORK: _Work | None = None


def _load(path: Path) -> Delivered | None:
    """In a worker: the episode at `path` as the memory keeps it, and the probes its load made;
    None where it has errors (this process loads it again, to report them)."""
    work = _WORK
    assert work is not None, "set before the workers fork"
    if not work.started:  # the listings a fork inherits may be an earlier load's
        forget_listings()
        variants.forget()
        work.show, work.memory = load_show(work.root, []), EpisodeMemory(work.root, False)
        work.started = True
    assert work.memory is not None
    problems: list[Problem] = []
    loaded = load_episode(path, work.root, work.show, problems, work.probes)
    made = work.probes.take_new()
    if loaded is None:
        return None
    work.memory.remember(path, work.show, (loaded[0], loaded[1].lines_only()), problems)
    entry = work.memory.export(path)
    return None if entry is None else (entry, made)


class Ahead:
    """A `catalog.EpisodeMemo` over `memory` that has workers read the episodes it lacks."""

    def __init__(
        self,
        root: Path,
        memory: EpisodeMemory,
        probes: ProbeCache,
        paths: list[Path],
        workers: int,
        on_read: Callable[[Path], None] | None = None,
        minimum: int = MINIMUM,
    ) -> None:
        """Start reading those of `paths` the memory has nothing of, if there are enough of
        them and workers can fork here; `on_read` is told of each episode read (a progress
        bar's step)."""
        self.memory, self.probes, self._on_read = memory, probes, on_read
        self._root = root
        self.delivered = 0  # episodes a worker read, adopted here
        self.started = False  # whether workers read (else each episode is read here in turn)
        self._show: Show | None = None
        self._here: dict[str, tuple[tuple[Episode, Fields], list[Problem]] | None] = {}
        self._background: parallel.Background[Delivered | None] | None = None
        todo = [path for path in paths if not memory.remembers(path)]
        if workers < 1 or len(todo) < minimum or not parallel.can_fork():
            return
        global _WORK
        _WORK = _Work(root, probes)
        keys = [str(path) for path in todo]
        try:
            self._background = parallel.Background(_load, todo, keys, workers, self._local)
        except OSError:  # no process to fork (a limit reached): every episode is read here
            return
        finally:
            _WORK = None  # the workers have forked with it; this process keeps no copy
        self.started = True

    def recall(
        self, path: Path, show: Show | None, problems: list[Problem]
    ) -> tuple[Episode, Fields] | None:
        """The episode as a worker read it, or as the memory recalls it; None to read it."""
        key = str(path)
        if self._background is not None and key in self._background:
            self._show = show  # what a chunk taken over here is read with
            delivered = self._background.result(key)
            if delivered is not None and self.memory.adopt(delivered[0]):
                self.probes.adopt(delivered[1])
                self.delivered += 1
            if self._on_read is not None:
                self._on_read(path)
        if key in self._here:  # read here, in a chunk no worker had started
            found = self._here.pop(key)
            if found is None:
                return None  # it has errors: the catalog's load reads it again to say so
            loaded, its_problems = found
            problems.extend(its_problems)
            self.memory.remember(path, show, loaded, its_problems)
            return loaded
        return self.memory.recall(path, show, problems)

    def remember(
        self, path: Path, show: Show | None, loaded: tuple[Episode, Fields], problems: list[Problem]
    ) -> None:
        """Keep a freshly read episode in the memory."""
        self.memory.remember(path, show, loaded, problems)

    def _local(self, path: Path) -> None:
        """Read `path` here, for `recall` to hand over as it is: no JSON there and back."""
        problems: list[Problem] = []
        loaded = load_episode(path, self._root, self._show, problems, self.probes)
        self._here[str(path)] = (
            None if loaded is None else ((loaded[0], loaded[1].lines_only()), problems)
        )

    def close(self) -> None:
        """Stop the workers; episodes not asked for are dropped."""
        if self._background is not None:
            self._background.close()
            self._background = None
        self._here.clear()
