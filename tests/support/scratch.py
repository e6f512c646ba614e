"""A tiny show written into a temporary folder, the CLI run in-process, and folder snapshots."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "data"
REPO = Path(__file__).resolve().parents[2]
ARTWORK = REPO / "episodes" / "artwork.jpg"

SHOW = {
    "title": "Scratch Show",
    "description": "A show written by the hostile-input tests.",
    "language": "en",
    "author": "Tester",
    "owner": {"name": "Tester", "email": "tester@example.org"},
    "categories": ["Health & Fitness > Medicine"],
    "explicit": False,
}
EPISODE = {
    "title": "First light",
    "season": 1,
    "episode": 1,
    "published": "2024-01-09T06:00:00-06:00",
    "type": "full",
    "guid": "11111111-1111-4111-8111-111111111111",
    "summary": "The first episode.",
    "notes": "Some **notes**.",
}
EPISODE_YAML = "season-1/01-first.yaml"
EPISODE_AUDIO = "season-1/01-first.mp3"


def dump(mapping: dict[str, object]) -> str:
    """YAML text for a mapping, keys in the given order, any string representable."""
    return yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=1_000_000)


@dataclass
class Scratch:
    """A minimal valid show (show.yaml, artwork, one episode with audio) in `root`."""

    root: Path

    @classmethod
    def create(cls, root: Path) -> Scratch:
        """Write the minimal show into `root` (which must not exist yet)."""
        scratch = cls(root)
        root.mkdir(parents=True)
        shutil.copy(ARTWORK, root / "artwork.jpg")
        scratch.write("show.yaml", dump(SHOW))
        scratch.write(EPISODE_YAML, dump(EPISODE))
        scratch.audio(EPISODE_AUDIO)
        return scratch

    def path(self, relative: str) -> Path:
        """`relative` inside the show."""
        return self.root / relative

    def write(self, relative: str, text: str | bytes) -> Path:
        """Write text (UTF-8) or bytes into the show, creating folders."""
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def audio(self, relative: str, source: str = "cbr.mp3") -> Path:
        """Copy a committed test audio file (tests/data) into the show."""
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / source, path)
        return path

    def episode(
        self, relative: str = EPISODE_YAML, with_audio: bool = False, **changes: object
    ) -> Path:
        """Write an episode YAML: the default episode with `changes` (None removes a key)."""
        fields = {**EPISODE, **changes}
        text = dump({k: v for k, v in fields.items() if v is not None})
        if with_audio:
            self.audio(str(Path(relative).with_suffix(".mp3")))
        return self.write(relative, text)

    def show(self, **changes: object) -> Path:
        """Rewrite show.yaml: the default show with `changes` (None removes a key)."""
        fields = {**SHOW, **changes}
        return self.write("show.yaml", dump({k: v for k, v in fields.items() if v is not None}))


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under `root` (links not followed): kind, mode, size and content hash.

    Files over 64 MiB (the sparse giant) are identified by size and mtime instead of hashing.
    """
    result: dict[str, tuple[object, ...]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            info = path.lstat()
            key = str(path.relative_to(root))
            if path.is_symlink():
                result[key] = ("link", os.readlink(path))
            elif path.is_file() and not path.is_symlink():
                digest: object = info.st_mtime_ns
                if info.st_size <= 64 << 20:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                result[key] = ("file", info.st_mode, info.st_size, digest)
            else:
                result[key] = ("other", info.st_mode)
    return result


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry under `root`, the folder included: (size, mtime_ns), links not followed.

    A folder's mtime changes when anything is created in it, even a temporary file removed
    again, so an unchanged tree means nothing was written there at all.
    """
    result = {".": (root.lstat().st_size, root.lstat().st_mtime_ns)}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            info = Path(folder, name).lstat()
            result[str(Path(folder, name).relative_to(root))] = (info.st_size, info.st_mtime_ns)
    return result


@dataclass(frozen=True)
class CliResult:
    """What the real `podcast` entry point did: exit code and both streams."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout and stderr together, for assertion messages."""
        return self.stdout + self.stderr


def run_cli(*args: str) -> CliResult:
    """Run `podcast ARGS` through podcast.cli.main in-process, as the console script does."""
    from podcast.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["podcast", *args]
    code: object = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.argv = argv
    return CliResult(
        code if isinstance(code, int) else (0 if code is None else 1),
        out.getvalue(),
        err.getvalue(),
    )
