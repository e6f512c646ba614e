"""A hard-linked copy of a show's last build in the user's cache, for builds into a new folder.

A build reuses the files of the build already in OUT whose inputs did not change (`freeze`,
`staging`). Deleting OUT, or building into another folder (a preview, a deploy's staging
folder), loses that: every page would be rendered again. So after each build the mirror
(`cache_dir("mirror", root)`) is made to hold a hard link to each of the build's files, with a
manifest of its own like OUT's, and a build with no previous build in OUT reuses the mirror's.

A link costs no space while OUT holds the same file. A file is reused only while its size,
inode and mtime are those recorded, as for OUT: a page edited in place in OUT (the mirror's is
the same file) is rendered again. Where the cache is on another file system than OUT there is
no mirror (a link cannot cross). A build reading the mirror holds a shared lock on it, one
updating it an exclusive lock; an update that would wait for another build is skipped, and the
mirror's manifest is dropped before its files change, so a killed update is never trusted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from podcast.files import cache_dir
from podcast.publish import build_manifest
from podcast.publish.atomic_swap import lock, try_lock
from podcast.publish.build_state import Made

FOLDER = "site"  # the mirror's files, below its folder in the cache (the lock is that folder)


def location(root: Path) -> Path:
    """Where the mirror of the last build of the episodes folder `root` is kept."""
    return cache_dir("mirror", root) / FOLDER


@dataclass
class Mirror:
    """The mirror, read-locked for a build to reuse its files; `close()` when the build ends."""

    folder: Path
    known: dict[str, build_manifest.Entry]
    descriptor: int

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.descriptor)


def recall(root: Path) -> Mirror | None:
    """The mirror of `root`'s last build with its manifest, locked for reading; None when
    there is none, it is being updated, or it cannot be read.

    A build holds this lock until its pages are indexed: one held for a mirror with nothing
    to reuse would only stop the build from updating the mirror while Pagefind runs."""
    folder = location(root)
    try:
        descriptor = try_lock(folder.parent, shared=True)
    except OSError:
        return None  # no mirror
    if descriptor is None:
        return None  # a build is updating it: a build never waits for the mirror
    known = build_manifest.load(folder)
    if not known or not folder.is_dir():  # the manifest outlives a folder deleted by hand
        os.close(descriptor)
        return None
    return Mirror(folder, known, descriptor)


def update(root: Path, out: Path, made: Made) -> None:
    """Make the mirror of `root` hold the build in `out` (`made`: its URLs and files); skipped
    when another build holds the mirror, removed where it cannot be made (another file system,
    a full disk): no mirror is better than one that is half right."""
    home = location(root).parent
    try:
        home.mkdir(parents=True, exist_ok=True)
        if os.stat(home).st_dev != os.stat(out).st_dev:
            _remove(home / FOLDER)  # the cache is elsewhere: nothing to link
            return
        descriptor = try_lock(home)
    except OSError:
        return
    if descriptor is None:
        return  # another build reads or writes it; the next build brings it up to date
    try:
        _sync(out, home / FOLDER, made)
    except OSError:
        _remove(home / FOLDER)
    finally:
        os.close(descriptor)


def _sync(out: Path, mirror: Path, made: Made) -> None:
    """Link into `mirror` every file of `made` that it lacks or holds another version of, drop
    what the build no longer has, then record the mirror's manifest."""
    build_manifest.forget(mirror)
    files = {relative for _, _, relative in made.values() if relative}
    folders: set[str] = set()
    for relative in files:
        source, target = os.path.join(out, relative), os.path.join(mirror, relative)
        held = os.lstat(source)
        try:
            there = os.lstat(target)
        except FileNotFoundError:
            there = None
        if there is not None and there.st_ino == held.st_ino and there.st_dev == held.st_dev:
            continue  # the very same file: an unchanged page, or audio
        folder = relative.rpartition("/")[0]
        if folder not in folders:
            os.makedirs(os.path.join(mirror, folder), exist_ok=True)
            folders.add(folder)
        if there is not None:
            os.unlink(target)
        os.link(source, target)
    _prune(mirror, files)
    build_manifest.save(mirror, made)


def _prune(mirror: Path, files: set[str]) -> None:
    """Remove what `mirror` holds besides `files`, and the folders that leaves empty."""
    for folder, _, names in os.walk(mirror, topdown=False):
        below = os.path.relpath(folder, mirror)
        prefix = "" if below == "." else below.replace(os.sep, "/") + "/"
        for name in names:
            if prefix + name not in files:
                os.unlink(os.path.join(folder, name))
        if below != "." and not os.listdir(folder):
            os.rmdir(folder)


def _remove(mirror: Path) -> None:
    with contextlib.suppress(OSError):
        build_manifest.forget(mirror)
    shutil.rmtree(mirror, ignore_errors=True)


def forget(root: Path) -> None:
    """Remove the mirror of `root`'s last build, once no build is reading it: the next build
    into a new folder renders every page."""
    home = location(root).parent
    try:
        descriptor = lock(home)
    except OSError:
        return  # no mirror
    try:
        _remove(home / FOLDER)
    finally:
        os.close(descriptor)
