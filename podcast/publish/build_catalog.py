"""The catalog as one build asks it: the same data, its lookups answered from an index.

Every page asks for its episode by slug and for the visible episodes; `Catalog` answers both
by walking every episode, so a build of n pages costs n² steps. A build freezes the site at
one instant (its clock is fixed), so the visible set is computed once and each slug is a
dictionary look-up. The web server keeps the plain `Catalog`: it asks once per page per
catalog version, and its page cache keeps the answer.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from podcast.errors import Problem
from podcast.model import Catalog, Episode, Show


class BuildCatalog(Catalog):
    """A `Catalog` whose `find` is a look-up and whose `visible` is kept for the last instant."""

    __slots__ = ("_by_slug", "_visible")
    _by_slug: dict[str, Episode]
    _visible: list[tuple[tuple[datetime, bool], tuple[Episode, ...]]]

    def __init__(
        self,
        root: Path,
        show: Show,
        episodes: tuple[Episode, ...],
        warnings: tuple[Problem, ...] = (),
    ) -> None:
        super().__init__(root, show, episodes, warnings)
        by_slug: dict[str, Episode] = {}
        for episode in episodes:
            by_slug.setdefault(episode.slug, episode)  # the first, as `Catalog.find` finds
        object.__setattr__(self, "_by_slug", by_slug)
        object.__setattr__(self, "_visible", [])  # [((now, drafts), episodes)]: the last asked

    @classmethod
    def of(cls, catalog: Catalog) -> BuildCatalog:
        """`catalog`'s data, indexed."""
        return cls(catalog.root, catalog.show, catalog.episodes, catalog.warnings)

    def find(self, slug: str) -> Episode | None:
        """The episode with this slug, if any."""
        return self._by_slug.get(slug)

    def visible(self, now: datetime, drafts: bool = False) -> tuple[Episode, ...]:
        """Episodes a listener may see at `now`, newest first (drafts too if asked)."""
        last = self._visible
        if not last or last[0][0] != (now, drafts):
            last[:] = [((now, drafts), Catalog.visible(self, now, drafts))]
        return last[0][1]
