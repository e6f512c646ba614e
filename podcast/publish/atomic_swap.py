"""A build's folder beside OUT, swapped in whole: OUT is a complete build at every instant.

A build is made in a hidden folder beside OUT (`.OUT.building-…`) that holds `MARKER` from its
first moment, so whatever a killed build leaves is known to be ours, and is locked (flock)
while it is written. The finished folder replaces OUT in one rename; what killed builds left
is removed (or, for a swap killed half-way, put back) by the next build.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import sys
from pathlib import Path

from podcast.files import sibling
from podcast.publish.build_report import ExportError

MARKER = ".podcast-build"  # marks a folder as ours, so a rebuild may replace it
MARKER_TEXT = "Built by `podcast build`; rebuilding replaces it.\n"
_AT_FDCWD = -100  # renameat2's "relative to the current directory"
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def check_target(out: Path, root: Path) -> None:
    """Refuse to replace a folder that is not a previous build (or that holds the show)."""
    root = Path(root).absolute()
    if out == root or root.is_relative_to(out):
        raise ExportError(f"{out} holds the episodes folder; choose another output folder")
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file, not a folder; choose another output folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise ExportError(
            f"{out} is not empty and was not made by `podcast build`; "
            "choose an empty or new folder (nothing was changed)"
        )


def swap(staging: Path, out: Path) -> Path | None:
    """Put the finished build at `out` in one step; the previous build's folder, now beside
    `out` and named for what it is, for the caller to `remove_build` (None when there was none).

    Linux swaps the two folders with renameat2(RENAME_EXCHANGE), so `out` is a complete build
    at every instant and stays a real folder. Elsewhere (or on a file system without it) `out`
    is renamed aside first; a build killed in that window is put back by the next build.
    """
    if not out.exists():
        os.rename(staging, out)
        return None
    if _exchange(staging, out):
        # The staging name now holds the previous build: name it for what it is, so that
        # whatever a kill leaves beside OUT says whether it is complete (old) or not (building).
        retired = sibling(out, "old")
        try:
            os.rename(staging, retired)
        except OSError:
            retired = staging  # the new build is in place; only the name of the old is wrong
        return retired
    retired = sibling(out, "old")
    os.rename(out, retired)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(retired, out)  # put the old build back
        raise
    return retired


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the platform or file system cannot."""
    renameat2 = getattr(_LIBC, "renameat2", None) if _LIBC is not None else None
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), 2)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a kernel or file system without RENAME_EXCHANGE
    raise OSError(error, os.strerror(error), str(second))


def clear_leftovers(out: Path) -> None:
    """Remove what killed builds left beside `out`, and put back an `out` renamed aside."""
    if not out.parent.is_dir():
        return
    prefix = f".{out.name}."
    for folder in sorted(out.parent.iterdir()):
        tag = folder.name[len(prefix) :].split("-")[0] if folder.name.startswith(prefix) else ""
        if tag not in ("building", "old") or folder.is_symlink() or not folder.is_dir():
            continue
        if not (folder / MARKER).is_file():
            with contextlib.suppress(OSError):
                folder.rmdir()  # killed before its marker: empty, else not ours to delete
            continue
        lock = try_lock(folder)
        if lock is None:
            continue  # another build is writing it right now
        try:
            if tag == "old" and not out.exists() and not out.is_symlink():
                os.rename(folder, out)  # the fallback swap was killed between its renames
            else:
                remove_build(folder)
        finally:
            os.close(lock)


def lock(folder: Path) -> int:
    """An open descriptor holding an exclusive flock on `folder` (waits for it)."""
    descriptor = os.open(folder, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def try_lock(folder: Path, shared: bool = False) -> int | None:
    """Like `lock`, but None at once when another process holds the folder; `shared`: a lock
    other shared holders may hold too (readers), which only an exclusive one excludes."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def remove_build(folder: Path) -> None:
    """Delete a build folder, its marker last, so a killed deletion is finished next time."""
    if folder.is_symlink():
        folder.unlink()  # a link swapped out of OUT: its target is not ours to empty
        return
    with contextlib.suppress(FileNotFoundError):
        for entry in folder.iterdir():
            if entry.name == MARKER:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    (folder / MARKER).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()
