"""The one way to load an episodes folder: `catalog.load` with the audio probe cache and the
memory of earlier loads, so only what changed is read.

`load(root)` is what `check`, `build`, `list`, `release` and `remove` call; a server keeps one
`Loader` and calls `load()` again on each change (`site.live`). Either way an unchanged episode
is recalled (`read.memory`), an unchanged audio file is not reopened (`read.probe_cache`), and
on a cold memory worker processes read episodes beside this one (`read.ahead`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from podcast.model import Audio, Catalog
from podcast.read import audio as audio_module
from podcast.read import catalog as catalog_module
from podcast.read import parallel
from podcast.read.ahead import Ahead
from podcast.read.memory import EpisodeMemory
from podcast.read.probe_cache import ProbeCache, Prober, likely_audio


class Loader:
    """Loads one episodes folder, then again reading only the files that changed."""

    def __init__(
        self, root: Path, prober: Prober = audio_module.probe, persist: bool = True
    ) -> None:
        """`persist`: keep the memory in the user's cache directory too, not only this process."""
        self.root = Path(root).absolute()
        self.probes = ProbeCache(self.root, prober)
        self.memory = EpisodeMemory(self.root, persist)

    @property
    def read(self) -> int:
        """Episodes the last load read from their files."""
        return self.memory.read

    @property
    def recalled(self) -> int:
        """Episodes the last load recalled unchanged."""
        return self.memory.recalled

    def load(
        self, on_probe: Callable[[Path], None] | None = None, workers: int | None = None
    ) -> Catalog:
        """The catalog as the folder is now; raises CatalogError like `catalog.load`.

        `on_probe` is called per episode read (progress). When the memory lacks enough
        episodes to be worth it, `workers` processes read them while this one does too
        (`read.ahead`); else, when the probe cache lacks enough audio files, they probe those
        while this one reads the YAML. The default leaves to this process one of the CPUs it
        may use (on two cores, two workers beside it made it wait for the CPU).
        """
        self.memory.start()
        workers = workers or parallel.cpus() - 1
        paths = catalog_module.episode_files(self.root)
        ahead = Ahead(self.root, self.memory, self.probes, paths, workers, on_probe)
        if not ahead.started:
            self.probes.prefetch(likely_audio(self.root), workers)
        prober: Prober = self.probes
        if on_probe is not None and not ahead.started:

            def prober(path: Path) -> Audio:
                on_probe(path)
                return self.probes(path)

        try:
            return catalog_module.load(self.root, prober=prober, memo=ahead, files=paths)
        finally:
            ahead.close()
            self.probes.close()
            self.probes.save()  # what was read before a failure is still worth keeping
            self.memory.save()


def load(
    root: Path, on_probe: Callable[[Path], None] | None = None, workers: int | None = None
) -> Catalog:
    """The catalog of `root`, read through the caches (see `Loader.load`)."""
    return Loader(root).load(on_probe, workers)
