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
    Update(root).finish(out, made)


class Update:
    """One build's update of the mirror, in two passes under one exclusive lock: `link` the
    pages while Pagefind indexes them (from the staging folder), then `finish` after the swap
    with what came after (the index) and the manifest. Held from the first pass to the end, the
    lock keeps another build from changing the mirror in between, so `finish` need not look
    at the pages again (at 5,000 episodes, 60,000 lstat calls and a walk of the mirror)."""

    def __init__(self, root: Path) -> None:
        self.home = location(root).parent
        self._descriptor: int | None = None
        self._linked: set[str] | None = None  # the files `link` made the mirror hold

    def link(self, out: Path, made: Made) -> None:
        """Link into the mirror every file of `made`, found in `out`; drop what it lacks."""
        if self._hold(out):
            try:
                self._linked = _sync(out, self.home / FOLDER, made, save=False)
            except OSError:
                self._linked = None
                _remove(self.home / FOLDER)

    def finish(self, out: Path, made: Made, again: bool = False) -> None:
        """Make the mirror hold the build now in `out` and record its manifest; then let go.
        `again`: look at every file, not only those `link` did not link (its folder is gone)."""
        try:
            if not self._hold(out):
                return
            try:
                _sync(out, self.home / FOLDER, made, skip=None if again else self._linked)
            except OSError:
                _remove(self.home / FOLDER)
        finally:
            self.close()

    def close(self) -> None:
        """Let go of the mirror (if held); a pass after this takes the lock again."""
        if self._descriptor is not None:
            os.close(self._descriptor)
        self._descriptor, self._linked = None, None

    def _hold(self, out: Path) -> bool:
        """Whether this update holds the mirror, taking it if free; where the cache is on
        another file system than `out`, there is no mirror (a link cannot cross)."""
        if self._descriptor is not None:
            return True
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            if os.stat(self.home).st_dev != os.stat(out).st_dev:
                _remove(self.home / FOLDER)  # the cache is elsewhere: nothing to link
                return False
            self._descriptor = try_lock(self.home)
        except OSError:
            return False
        return self._descriptor is not None  # None: another build reads or writes it


def _sync(
    out: Path, mirror: Path, made: Made, save: bool = True, skip: set[str] | None = None
) -> set[str]:
    """Link into `mirror` every file of `made` that it lacks or holds another version of, then
    record the mirror's manifest (with `save`); the files of `made`.

    `skip`: files the mirror is known to hold as `out` does, left alone, and nothing pruned
    (the pass that linked them pruned the rest). Else what the build no longer has is dropped.
    """
    build_manifest.forget(mirror)
    files = {relative for _, _, relative in made.values() if relative}
    folders: set[str] = set()
    for relative in sorted(files if skip is None else files - skip):  # the same steps each run
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
    if skip is None:
        _prune(mirror, files)
    if save:
        build_manifest.save(mirror, made)
    return files


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
