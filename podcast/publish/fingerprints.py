"""What each exported URL is made of, as one hash: a rebuild renders only URLs whose hash moved.

A URL's inputs are the build's own (the code, templates and static files, the libraries that
render, the show and its artwork, the base URLs and settings) plus the episodes it shows:
- `/episodes/<slug>/…`: that episode and the ones published just before and after it (the
  page's pager names them);
- `/seasons/<n>/` and its later pages (`page/<k>/`): the season's episodes and which seasons
  exist (its pager);
- `/audio/…`: the audio file itself (size, mtime, inode);
- `/static/…`, the show's artwork and its thumbnails: nothing but the build's own inputs;
- anything else (the home page, feeds, sitemap, search, poster…): every episode.

An episode stands for its loaded data (every field, so every YAML key) and the size and mtime
of every file it names (audio, image, transcript, chapter images). When in doubt a URL falls
into the widest group, so an unknown route is always rebuilt when anything changes.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from podcast.model import Catalog, Episode, newest_first
from podcast.render import urls

_PACKAGE = Path(__file__).resolve().parent.parent
_DISTRIBUTION = "offthecharts-publisher"
_OWN_FILES = (urls.STATIC + "/", "/artwork/")  # static files; the show artwork's thumbnails


class Fingerprints:
    """The input hash of any URL of one build."""

    def __init__(
        self,
        catalog: Catalog,
        visible: tuple[Episode, ...],
        folders: Iterable[Path],
        settings: Mapping[str, Any],
    ) -> None:
        self.catalog = catalog
        self.artwork = urls.artwork(catalog.show)
        self.common = digest(
            code_version(folders),
            repr(catalog.show),
            repr(sorted((str(k), repr(v)) for k, v in settings.items())),
            _stamp(catalog.show.artwork),
            _stamp(catalog.show.source),
        )
        self.episodes = {e.slug: episodedigest(e) for e in catalog.episodes}
        self.visible = {e.slug for e in visible}
        ordered = newest_first(visible)
        self.neighbours = {
            e.slug: (
                ordered[i + 1].slug if i + 1 < len(ordered) else "",
                ordered[i - 1].slug if i > 0 else "",
            )
            for i, e in enumerate(ordered)
        }
        seasons = sorted({e.season for e in visible})
        self.seasons = {
            n: digest(
                self.common, repr(seasons), *(self._shown(e.slug) for e in ordered if e.season == n)
            )
            for n in seasons
        }
        self.everything = digest(
            self.common, *(self._shown(e.slug) for e in ordered), repr(len(catalog.episodes))
        )

    def _shown(self, slug: str) -> str:
        return f"{slug}:{self.episodes.get(slug, '')}:{slug in self.visible}"

    def of(self, path: str, source: Path | None = None) -> str:
        """The hash of everything `path`'s response is made of."""
        parts = [unquote(p) for p in path.split("/")]
        if source is not None:
            return digest(self.common, path, _stamp(source))
        if path.startswith(_OWN_FILES) or path == self.artwork:
            return digest(self.common, path)  # the site's own files, the show's artwork
        if len(parts) > 3 and parts[1] == "episodes" and parts[2] in self.episodes:
            slug = parts[2]
            older, newer = self.neighbours.get(slug, ("", ""))
            shown = [self._shown(s) for s in (slug, older, newer)]
            return digest(self.common, path, *shown)
        if parts[1:2] == ["seasons"] and parts[2:3] and parts[2].isdigit() and _season(parts[3:]):
            season = self.seasons.get(int(parts[2]))
            if season is not None:
                return digest(path, season)
        return digest(path, self.everything)


def _season(rest: list[str]) -> bool:
    """Whether what follows `/seasons/<n>` is a season's page: `/` or `/page/<k>/`."""
    return rest == [""] or (
        len(rest) == 3 and rest[0] == "page" and rest[1].isdigit() and not rest[2]
    )


def episodedigest(episode: Episode) -> str:
    """One episode's data and the stamps of every file it names."""
    files = [episode.source] + ([episode.audio.path] if episode.audio.path else [])
    files += [episode.transcript.path] if episode.transcript else []
    files += [episode.image] if episode.image else []
    files += [c.image for c in episode.chapters if isinstance(c.image, Path)]
    return digest(repr(episode), *map(_stamp, files))


def code_version(folders: Iterable[Path]) -> str:
    """Our code, the rendering libraries' versions, and every file in `folders` (templates…)."""
    files = sorted(_PACKAGE.rglob("*.py"))
    for folder in folders:
        files += sorted(p for p in Path(folder).rglob("*") if p.is_file())
    hasher = hashlib.sha256(sys.version.encode())
    for name, version in _libraries():
        hasher.update(f"{name}={version}\n".encode())
    for file in files:
        hasher.update(f"{file}\0".encode())
        hasher.update(file.read_bytes())
    return hasher.hexdigest()


def _libraries() -> list[tuple[str, str]]:
    """Installed versions of what we depend on (a new feedgen or Jinja can change bytes)."""
    try:
        required = metadata.requires(_DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return []
    found = []
    for requirement in required:
        if "extra ==" in requirement:
            continue
        name = requirement.split(";")[0].split("[")[0]
        name = name.split(">")[0].split("<")[0].split("=")[0].split("~")[0].strip()
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, ""))
    return found


def _stamp(path: Path) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"


def digest(*parts: str) -> str:
    """A short hash of `parts`."""
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()
