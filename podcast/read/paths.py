"""Path-safety policy: files an episode names stay inside the episodes folder, read safely."""

from __future__ import annotations

import os
import re
import stat
from functools import cache
from pathlib import Path

from podcast.errors import Problem
from podcast.read.yamlfile import Fields

SEASON_DIR = re.compile(r"^season-?(\d+)$", re.IGNORECASE)


def links_outside(root: Path, path: Path, problems: list[Problem]) -> bool:
    """True (with a problem) when a YAML file is a link, or in a linked folder, leading outside."""
    if inside(root, path.parent, path.name) is not None:
        return False
    problems.append(
        Problem(
            path,
            None,
            "this file (or its folder) is a link to a place outside the episodes folder",
            "copy the file into the episodes folder instead of linking to it",
        )
    )
    return True


def is_file(path: Path) -> bool:
    """Path.is_file that says False, not raises, for names the OS refuses (too long, …)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def inside(root: Path, base: Path, name: str) -> Path | None:
    """`base/name` if it resolves inside root (symlinks included), else None.

    Asked a few times per episode: the real paths of root and of each folder are resolved
    once per load (`forget_listings`), and a plain name in a folder that is not a link is
    the folder's real path plus the name, one lstat. Anything else is resolved in full.
    """
    candidate = base / name
    try:
        real_root = _real(root)
        if os.sep in name or name in ("", ".", "..") or _is_link(candidate):
            real = str(candidate.resolve())
        else:
            real = os.path.join(_real(base), name)
    except (OSError, RuntimeError, ValueError):
        return None
    within = real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
    return candidate if within else None


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:  # as os.path.realpath does: a name it cannot lstat is not followed
        return False


@cache
def _real(folder: Path) -> str:
    """The real path of `folder`, once per load (Path.resolve: one lstat per component)."""
    return str(folder.resolve())


def forget_listings() -> None:
    """Start a new load: folders may have been listed, moved or linked since the last one."""
    siblings.cache_clear()
    _real.cache_clear()


def referenced(
    path: Path, root: Path, fields: Fields, key: str, extensions: frozenset[str] | set[str]
) -> Path | None:
    """The file named by `key`, kept inside root, or the same-stem file beside the YAML."""
    name = fields.get(key, str)
    if name:
        found = inside(root, path.parent, name)
        if found is None:
            fields.error(
                key,
                f"'{key}' points outside the episodes folder: {name}",
                "keep the file inside the episodes folder",
            )
        elif not is_file(found):
            fields.error(
                key, f"{key} file '{name}' does not exist", "check the file name and its folder"
            )
            return None
        return found
    for name in siblings(path.parent).get(path.stem, ()):
        dot = name.rfind(".")
        if (name[dot:] if dot > 0 else "").lower() not in extensions:  # Path.suffix, no Path
            continue
        candidate = path.parent / name
        return candidate if usable_sibling(root, candidate, fields) else None
    return None


def usable_sibling(root: Path, candidate: Path, fields: Fields) -> bool:
    """False (with an error) for a file beside the YAML that links outside or is no file."""
    if inside(root, candidate.parent, candidate.name) is None:
        fields.error(
            None,
            f"{candidate.name} is a link to a place outside the episodes folder",
            "copy the file into the episodes folder instead of linking",
        )
        return False
    if not is_file(candidate):  # a pipe would hang whoever reads it (a page, the feed)
        fields.error(
            None,
            f"{candidate.name} is not a regular file (a folder, pipe or device)",
            "replace it with the exported file",
        )
        return False
    return True


@cache
def siblings(folder: Path) -> dict[str, tuple[str, ...]]:
    """File names in `folder` by stem, sorted; listed once per load (see `load`).

    Globbing the folder for each episode made loading quadratic in the season's size.
    """
    by_stem: dict[str, list[str]] = {}
    for name in sorted(os.listdir(folder)):
        by_stem.setdefault(name.rsplit(".", 1)[0] if "." in name[1:] else name, []).append(name)
    return {stem: tuple(names) for stem, names in by_stem.items()}


def file_id(path: Path) -> object:
    """The file itself, whatever links lead to it: one stat instead of resolving each folder."""
    try:
        stat = path.stat()
    except OSError:
        return path.resolve()
    return (stat.st_dev, stat.st_ino)
