"""`check`, `build` and the server only read the episodes folder: it stays byte and mtime identical.

The probe cache lives in the user's cache directory instead (XDG_CACHE_HOME), so a read-only
episodes folder works as well as a writable one, and still gets a warm cache.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.scratch import tree

from podcast.cli import cli
from podcast.read.probe_cache import cache_path
from podcast.site.app import create_app


def _check(root: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert "OK: 7 episodes" in result.output


def _build(root: Path, out: Path) -> None:
    args = ["build", str(out), "--root", str(root), "--base-url", "https://example.org"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (out / "feed.xml").is_file()


def _serve(root: Path) -> None:
    client = create_app({"EPISODES_ROOT": root, "BASE_URL": "https://example.org"}).test_client()
    for url in ("/", "/feed.xml"):
        assert client.get(url).status_code == 200, url


def test_check_build_and_serve_leave_the_folder_as_it_was(show_dir: Path, tmp_path: Path) -> None:
    before = tree(show_dir)
    _check(show_dir)
    _build(show_dir, tmp_path / "site")
    _serve(show_dir)
    assert tree(show_dir) == before
    assert cache_path(show_dir).is_file()  # the probes were kept, elsewhere


@contextmanager
def read_only(source: Path, target: Path) -> Iterator[Path]:
    """`source` mounted read-only at `target` (a bind mount: even root cannot write there)."""
    target.mkdir()
    done = subprocess.run(
        ["mount", "--bind", "-o", "ro", str(source), str(target)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {done.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=True)


def test_a_read_only_episodes_folder_works_and_is_cached(show_dir: Path, tmp_path: Path) -> None:
    with read_only(show_dir, tmp_path / "read-only") as root:
        with pytest.raises(OSError):
            (root / "probe").write_text("the mount must refuse writes")
        _check(root)
        assert cache_path(root).is_file()
        _check(root)  # warm, from the cache
        _build(root, tmp_path / "site")
        _serve(root)
