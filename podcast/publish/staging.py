"""The folder a build is written into, filled with the previous build's files where they agree.

A file whose bytes equal the previous build's is hard-linked from it rather than written, and
audio and artwork are hard-linked from the episodes folder (copied where that is another file
system). Reused files are only noted until the first file that differs, so a build that
changes nothing makes no link at all.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from podcast.publish.atomic_swap import MARKER
from podcast.publish.build_report import Report


@dataclass
class Staging:
    """Puts files into the staging folder, reusing the previous build's where they agree.

    Reused files are only noted at first; they are linked into the staging folder when the
    first file that differs is written, so a build that changes nothing makes no links.
    """

    staging: Path
    previous: Path | None  # the current OUT, when it is a build to reuse files from
    report: Report
    sources: dict[str, Path] = field(default_factory=dict)  # site path → the file it serves
    kept: list[str] = field(default_factory=list)  # reused, not yet linked (as posix paths)
    linking: bool = False  # True once something differs: every file goes in at once
    folders: set[str] = field(default_factory=set)  # made in staging (a mkdir is not free)
    # In a forked renderer's copy: files found equal are only listed in `kept`, for the build's
    # process to keep (it alone links the files it kept before and decides when linking starts).
    in_renderer: bool = False

    def _old(self, relative: PurePosixPath) -> Path | None:
        old = self.previous / relative if self.previous else None
        return old if old is not None and old.is_file() and not old.is_symlink() else None

    def keep(self, relative: PurePosixPath | str) -> None:
        """Reuse the previous build's file at `relative`, known to be what would be written.

        Paths here are strings joined by hand: an incremental build keeps every unchanged file
        (29,000 at 5,000 episodes), and pathlib's parsing was most of the cost of keeping one.
        """
        name = relative if isinstance(relative, str) else relative.as_posix()
        if self.linking and not self.in_renderer:
            os.link(self._previous_file(name), self._target(name))
        else:
            self.kept.append(name)

    def put_bytes(self, relative: PurePosixPath, body: bytes) -> None:
        """Store `body` at `relative`: a link to the previous file if equal, else written."""
        old = self._old(relative)
        if old is not None and old.stat().st_size == len(body) and old.read_bytes() == body:
            self.keep(relative)
            return
        self._differs()
        _write(self._target(relative.as_posix()), body)
        self.report.written.append(relative.as_posix())

    def put_file(self, relative: PurePosixPath, source: Path) -> None:
        """Store a copy of `source`: the previous file if equal, else a hard link or a copy."""
        old = self._old(relative)
        if old is not None and (os.path.samefile(old, source) or _same_bytes(old, source)):
            self.keep(relative)
            return
        self._differs()
        target = self._target(relative.as_posix())
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)  # another file system, or links not allowed
        self.report.written.append(relative.as_posix())

    def _differs(self) -> Path:
        """Start filling the staging folder (the kept files first); its root."""
        if not self.linking and not self.in_renderer:
            self.linking = True
            for relative in self.kept:
                os.link(self._previous_file(relative), self._target(relative))
            self.kept.clear()
        return self.staging

    def _previous_file(self, relative: str) -> str:
        assert self.previous is not None, "only a previous build's files are kept"
        return os.path.join(self.previous, relative)

    def _target(self, relative: str) -> str:
        """Where `relative` (a posix path below the staging folder) goes; its folder made."""
        folder = relative.rpartition("/")[0]
        if folder not in self.folders:
            os.makedirs(os.path.join(self.staging, folder), exist_ok=True)
            self.folders.add(folder)
        return os.path.join(self.staging, relative)

    def same_as_previous(self, previous_files: set[str] | None) -> bool:
        """True when this build kept exactly the previous build's files, all unchanged."""
        if self.previous is None or self.linking:
            return False
        kept = set(self.kept)
        if previous_files is None:  # no manifest: look at what the folder holds
            previous_files = {p for p in _files(self.previous) if (self.previous / p).is_file()}
        return kept == previous_files

    def finish(self) -> Path:
        """Put every kept file into the staging folder (to be read, or swapped in); its root."""
        return self._differs()


def _write(target: str, body: bytes) -> None:
    """`target.write_bytes(body)` without the buffered file object (a build writes thousands)."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(body)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def _same_bytes(first: Path, second: Path) -> bool:
    return filecmp.cmp(first, second, shallow=False)


def _files(folder: Path) -> set[str]:
    """Every file and folder below `folder`, relative, the marker aside."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")} - {MARKER}
