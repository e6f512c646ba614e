"""The one way to load an episodes folder: `catalog.load` with the audio probe cache and the
memory of earlier loads, so only what changed is read.

`load(root)` is what `check`, `build`, `list`, `release` and `remove` call; a server keeps one
`Loader` and calls `load()` again on each change (`site.live`). Either way an unchanged episode
is recalled (`read.memory`), an unchanged audio file is not reopened (`read.probe_cache`), and
on a cold cache the audio is probed in worker processes while the YAML is read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from podcast.model import Audio, Catalog
from podcast.read import audio as audio_module
from podcast.read import catalog as catalog_module
from podcast.read import parallel
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

        `on_probe` is called per audio file opened (progress). Files the probe cache lacks are
        probed first in `workers` processes when there are enough of them to be worth it;
        the default leaves one CPU this process may use to this process, which reads the YAML
        meanwhile (on two cores, two probing workers beside it made it wait for the CPU).
        """
        self.memory.start()
        self.probes.prefetch(likely_audio(self.root), workers or parallel.cpus() - 1)
        prober: Prober = self.probes
        if on_probe is not None:

            def prober(path: Path) -> Audio:
                on_probe(path)
                return self.probes(path)

        try:
            return catalog_module.load(self.root, prober=prober, memo=self.memory)
        finally:
            self.probes.close()
            self.probes.save()  # what was read before a failure is still worth keeping
            self.memory.save()


def load(
    root: Path, on_probe: Callable[[Path], None] | None = None, workers: int | None = None
) -> Catalog:
    """The catalog of `root`, read through the caches (see `Loader.load`)."""
    return Loader(root).load(on_probe, workers)
