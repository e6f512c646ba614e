"""A build into an empty or new folder reuses the show's last build through its mirror in the
user's cache, and the result is always the clean build's, byte for byte."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from support.clock import NOW

from podcast.cli import cli
from podcast.publish import build as export
from podcast.publish import build_mirror, static_search
from podcast.publish.atomic_swap import try_lock
from podcast.site.app import create_app

BASE = "https://example.org/otc"
ELSEWHERE = "episodes/s3-02-community-voices/index.html"  # a page an early edit leaves alone


def make_app(root: Path) -> Flask:
    return create_app({"EPISODES_ROOT": root, "CLOCK": lambda: NOW, "BASE_URL": BASE})


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def clean_build(show_dir: Path, out: Path) -> export.Report:
    """A build with nothing to reuse: no build in `out`, no mirror."""
    build_mirror.forget(show_dir)
    return export.build(make_app(show_dir), out, BASE)


def edit_first_episode(show_dir: Path) -> None:
    yaml = sorted(show_dir.glob("season-*/*.yaml"))[0]
    yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Edited —", 1), "utf-8")


@pytest.fixture
def site(show_dir: Path, tmp_path: Path) -> Path:
    """The show built once into `site` (which leaves its mirror)."""
    out = tmp_path / "site"
    clean_build(show_dir, out)
    return out


def test_rebuilding_a_deleted_output_renders_nothing_and_equals_a_clean_build(
    show_dir: Path, site: Path, tmp_path: Path
) -> None:
    first = tree(site)
    shutil.rmtree(site)
    report = export.build(make_app(show_dir), site, BASE)
    assert report.rendered == 0 and not report.unchanged
    assert tree(site) == first
    clean_build(show_dir, tmp_path / "clean")
    assert tree(site) == tree(tmp_path / "clean")


def test_a_new_folder_after_an_edit_renders_only_what_shows_it(
    show_dir: Path, site: Path, tmp_path: Path
) -> None:
    edit_first_episode(show_dir)
    report = export.build(make_app(show_dir), tmp_path / "preview", BASE)
    assert 0 < report.rendered < report.files / 2
    assert os.stat(tmp_path / "preview" / ELSEWHERE).st_ino == os.stat(site / ELSEWHERE).st_ino
    clean_build(show_dir, tmp_path / "clean")
    assert tree(tmp_path / "preview") == tree(tmp_path / "clean")


def test_a_page_edited_in_place_in_the_output_is_rendered_again(
    show_dir: Path, site: Path, tmp_path: Path
) -> None:
    """The mirror's copy is the same file as OUT's: an edit in place (same inode, new bytes and
    mtime) reaches it, and the build after must not trust it."""
    with open(site / ELSEWHERE, "r+b") as page:
        page.write(b"<!-- edited by hand -->")
    report = export.build(make_app(show_dir), tmp_path / "other", BASE)
    assert report.rendered >= 1
    clean_build(show_dir, tmp_path / "clean")
    assert tree(tmp_path / "other") == tree(tmp_path / "clean")


def test_the_mirror_holds_exactly_the_last_build(
    show_dir: Path, site: Path, tmp_path: Path
) -> None:
    yaml = sorted(show_dir.glob("season-*/*.yaml"))[0]
    for path in yaml.parent.glob(yaml.stem + ".*"):
        path.unlink()  # an episode removed: its pages go from the next build
    export.build(make_app(show_dir), site, BASE)
    mirror = build_mirror.location(show_dir)
    assert files(mirror) == files(site) - {export.MARKER}
    assert all(
        os.stat(mirror / name).st_ino == os.stat(site / name).st_ino for name in files(mirror)
    )
    assert not [p for p in mirror.rglob("*") if p.is_dir() and not any(p.iterdir())]


def test_after_an_edit_built_in_place_the_mirror_is_that_build(
    show_dir: Path, site: Path, tmp_path: Path
) -> None:
    """The mirror is updated in two passes, the pages while Pagefind indexes them and the index
    after the swap: together they leave it holding the new build, index and manifest, so a
    build into a new folder renders nothing and is the clean build."""
    edit_first_episode(show_dir)
    report = export.build(make_app(show_dir), site, BASE)
    assert report.rendered and _index(site)
    mirror = build_mirror.location(show_dir)
    assert files(mirror) == files(site) - {export.MARKER}
    assert all(os.stat(mirror / n).st_ino == os.stat(site / n).st_ino for n in files(mirror))
    again = export.build(make_app(show_dir), tmp_path / "preview", BASE)
    assert again.rendered == 0
    clean_build(show_dir, tmp_path / "clean")
    assert tree(tmp_path / "preview") == tree(tmp_path / "clean") == tree(site)


def test_a_build_never_waits_for_a_mirror_another_process_holds(
    show_dir: Path, site: Path, tmp_path: Path
) -> None:
    """While another process holds the mirror, a build into a new folder reuses nothing and
    leaves the mirror as it was; it neither waits nor fails."""
    before = tree(build_mirror.location(show_dir))
    edit_first_episode(show_dir)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(build_mirror.location(show_dir).parent)],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        report = export.build(make_app(show_dir), tmp_path / "other", BASE)
    finally:
        holder.communicate(b"\n", timeout=30)
    assert report.rendered == report.files - len(_index(tmp_path / "other"))
    assert tree(build_mirror.location(show_dir)) == before
    clean_build(show_dir, tmp_path / "clean")
    assert tree(tmp_path / "other") == tree(tmp_path / "clean")


def test_a_mirror_folder_deleted_by_hand_is_no_mirror(show_dir: Path, site: Path) -> None:
    """Its manifest is still in the cache: taken for a mirror, it reused nothing and its lock
    kept the build from making the mirror again while Pagefind indexed the pages."""
    shutil.rmtree(build_mirror.location(show_dir))
    assert build_mirror.recall(show_dir) is None
    descriptor = try_lock(build_mirror.location(show_dir).parent)
    assert descriptor is not None, "recall left the mirror locked"
    os.close(descriptor)


HOLD = f"""
import fcntl, os, sys
descriptor = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(descriptor, {fcntl.LOCK_EX})
print("held", flush=True)
sys.stdin.readline()
"""


def _index(folder: Path) -> set[str]:
    """Pagefind's files in a build (made by Pagefind, never rendered)."""
    return {name for name in files(folder) if name.startswith(f"{static_search.FOLDER}/")}


def _other_device(path: Path) -> Path | None:
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and os.stat(shm).st_dev != os.stat(path).st_dev:
        return shm
    return None


def test_with_the_cache_on_another_file_system_there_is_no_mirror(
    show_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = _other_device(tmp_path)
    if other is None:
        pytest.skip("no writable file system other than the temporary folder's")
    cache = Path(os.path.join(other, f"otc-cache-{os.getpid()}-{tmp_path.name}"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    try:
        export.build(make_app(show_dir), tmp_path / "site", BASE)
        assert not files(build_mirror.location(show_dir))
        report = export.build(make_app(show_dir), tmp_path / "again", BASE)
        assert report.rendered == report.files - len(_index(tmp_path / "again"))
        assert tree(tmp_path / "again") == tree(tmp_path / "site")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def test_podcast_build_clean_renders_every_page_again(
    show_dir: Path, tmp_path: Path, runner: CliRunner
) -> None:
    """A page changed in OUT behind the build's back (same size, same mtime) is trusted by
    every build, as its stamps say it is the file the last build made; `--clean` renders
    every page again, ignoring the manifest and the mirror, and rewrites only what differs."""
    site = tmp_path / "site"
    args = ["build", str(site), "--root", str(show_dir), "--base-url", BASE]
    assert runner.invoke(cli, args).exit_code == 0
    page = site / ELSEWHERE
    good, stamp = page.read_bytes(), page.stat()
    with open(page, "r+b") as file:
        file.write(b"X" * 16)  # same size, in place
    os.utime(page, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    again = runner.invoke(cli, args)
    assert "Nothing changed" in again.output and page.read_bytes() != good
    other = site / "index.html"
    before = os.stat(other)
    clean = runner.invoke(cli, [*args, "--clean"])
    assert clean.exit_code == 0 and "Built" in clean.output, clean.output
    assert page.read_bytes() == good
    after = os.stat(other)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    clean_build(show_dir, tmp_path / "clean")
    assert tree(site) == tree(tmp_path / "clean")
