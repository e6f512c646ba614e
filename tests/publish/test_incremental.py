"""Incremental builds: only what changed is written, and the result equals a clean build."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from support.clock import NOW

from podcast.cli import cli
from podcast.files import shipped_dir
from podcast.publish import build as export
from podcast.publish import build_mirror, freeze, static_search
from podcast.read import loader
from podcast.site.app import create_app

BASE = "https://example.org/otc"


def make_app(root: Path, clock: datetime = NOW, templates: Path | None = None) -> Flask:
    app = create_app({"EPISODES_ROOT": root, "CLOCK": lambda: clock, "BASE_URL": BASE})
    if templates is not None:
        app.template_folder = str(templates)  # before the first page, so Jinja loads these
    return app


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def stamps(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_same_as_clean(show_dir: Path, out: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    build_mirror.forget(show_dir)  # a clean build: every page rendered, none reused
    export.build(make_app(show_dir), clean, BASE)
    assert tree(out) == tree(clean)


@pytest.fixture
def out(show_dir: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    export.build(make_app(show_dir), site, BASE)
    return site


def an_episode_yaml(show_dir: Path) -> Path:
    return sorted(show_dir.glob("season-*/*.yaml"))[0]


def test_a_no_op_build_writes_nothing_and_swaps_nothing(
    show_dir: Path, out: Path, tmp_path: Path
) -> None:
    before, inode = stamps(out), out.stat().st_ino
    report = export.build(make_app(show_dir), out, BASE)
    assert report.unchanged and report.written == []
    assert stamps(out) == before
    assert out.stat().st_ino == inode  # the very same folder: no swap
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]  # no staging left
    assert_same_as_clean(show_dir, out, tmp_path)


def test_editing_one_episode_rewrites_only_the_files_that_show_it(
    show_dir: Path, out: Path, tmp_path: Path
) -> None:
    yaml = an_episode_yaml(show_dir)
    yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Edited —", 1), "utf-8")
    before = stamps(out)
    report = export.build(make_app(show_dir), out, BASE)
    assert not report.unchanged
    after = stamps(out)
    changed = {path for path in after if before.get(path) != after[path]} - {export.MARKER}
    assert changed == set(report.written)
    assert "feed.xml" in changed or any(p.endswith(".xml") for p in changed)
    assert 0 < len(changed) < len(after) / 2
    assert not any(p.endswith((".mp3", ".m4a", ".jpg", ".css")) for p in changed)
    assert_same_as_clean(show_dir, out, tmp_path)


def test_removing_one_episode_matches_a_clean_build(
    show_dir: Path, out: Path, tmp_path: Path
) -> None:
    yaml = an_episode_yaml(show_dir)
    audio = [p for p in yaml.parent.glob(yaml.stem + ".*") if p != yaml]
    before = set(tree(out))
    for path in [yaml, *audio]:
        path.unlink()
    report = export.build(make_app(show_dir), out, BASE)
    assert not report.unchanged
    # Pagefind names its index files by their content: a smaller index has new names. The
    # pages themselves only go, and assert_same_as_clean compares the index too, byte by byte.
    assert not_search_index(tree(out)) < not_search_index(before)
    assert_same_as_clean(show_dir, out, tmp_path)


def not_search_index(paths: Iterable[str]) -> set[str]:
    return {path for path in paths if not path.startswith(f"{static_search.FOLDER}/")}


def test_audio_is_hard_linked_from_the_episodes_folder(show_dir: Path, out: Path) -> None:
    audio = [p for p in out.rglob("*") if p.suffix in (".mp3", ".m4a")]
    assert audio
    sources = {(p.stat().st_dev, p.stat().st_ino) for p in show_dir.rglob("*") if p.is_file()}
    assert all((os.stat(p).st_dev, os.stat(p).st_ino) in sources for p in audio)


def rebuild(show_dir: Path, out: Path, **config: object) -> tuple[export.Report, set[str]]:
    """Build again; the report and the files whose inode or mtime changed."""
    before = identities(out)
    report = export.build(make_app(show_dir, **config), out, BASE)
    after = identities(out)
    changed = {path for path in after if before.get(path) != after[path]}
    return report, changed - {export.MARKER}


def identities(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


EDITED = "episodes/s1-01-why-we-call-it-an-emergency/"
ELSEWHERE = "episodes/s3-02-community-voices/index.html"  # neither the edited one nor beside it


def test_a_no_op_build_renders_nothing(show_dir: Path, out: Path) -> None:
    report, changed = rebuild(show_dir, out)
    assert report.rendered == 0 and report.unchanged
    assert changed == set()
    recorded = export.build_manifest.load(out).values()
    assert report.files == len([entry for entry in recorded if entry.size >= 0])


def test_one_edit_renders_the_episode_its_neighbours_and_what_lists_everything(
    show_dir: Path, out: Path, tmp_path: Path
) -> None:
    yaml = show_dir / "season-1" / "01-why-we-call-it-an-emergency.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Edited —", 1), "utf-8")
    report, changed = rebuild(show_dir, out)
    assert changed == set(report.written)
    assert {EDITED + "index.html", "feed.xml", "index.html"} <= changed  # the sitemap has no titles
    assert "seasons/1/index.html" in changed
    assert ELSEWHERE not in changed and "seasons/3/index.html" not in changed
    assert 0 < report.rendered < report.files / 2
    assert_same_as_clean(show_dir, out, tmp_path)


def test_a_later_page_of_a_season_is_rebuilt_only_when_its_season_changes(
    show_dir: Path, tmp_path: Path
) -> None:
    """Season 2 gets a second page; an edit in season 1 leaves both its pages as they were."""
    from podcast.render import paging

    season = show_dir / "season-2"
    model = season / "02-social-drivers-of-health.yaml"
    audio = season / "02-social-drivers-of-health.mp3"
    for n in range(paging.SEASON_PAGE):
        name = f"{n + 10:03d}-more-voices-{n}"
        shutil.copyfile(audio, season / f"{name}.mp3")  # a link would be the same file
        text = model.read_text("utf-8").replace("episode: 2", f"episode: {n + 10}")
        text = text.replace("title: ", f"title: More voices {n} — ", 1)
        text = "\n".join(
            f"guid: {uuid.UUID(int=n + 1)}" if line.startswith("guid:") else line
            for line in text.splitlines()
        )
        (season / f"{name}.yaml").write_text(text + "\n", "utf-8")
    out = tmp_path / "site"
    export.build(make_app(show_dir), out, BASE)
    assert (out / "seasons/2/page/2/index.html").is_file()
    later = "/seasons/2/page/2/"
    before = export.build_manifest.load(out)[later].fingerprint
    yaml = show_dir / "season-1" / "01-why-we-call-it-an-emergency.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Edited —", 1), "utf-8")
    report, changed = rebuild(show_dir, out)
    assert "seasons/1/index.html" in changed
    assert not {"seasons/2/index.html", "seasons/2/page/2/index.html"} & changed
    assert export.build_manifest.load(out)[later].fingerprint == before  # reused, not rendered
    assert_same_as_clean(show_dir, out, tmp_path)


@pytest.mark.slow  # three builds
def test_an_added_episode_matches_a_clean_build(
    show_dir: Path, out: Path, tmp_path: Path, data_dir: Path
) -> None:
    source = show_dir / "season-3" / "02-community-voices.yaml"
    text = source.read_text("utf-8").replace("title:", "title: Later —", 1)
    text = text.replace("published: 2026-01-13", "published: 2026-02-10")
    text = text.replace("episode: 2", "episode: 3")
    text = text.replace("guid: 3d7852ff-94c7-4a0b-a65e-d7f9f019b77f", f"guid: {uuid.uuid4()}")
    (show_dir / "season-3" / "03-later.yaml").write_text(text + "\n", "utf-8")
    (show_dir / "season-3" / "03-later.mp3").write_bytes((data_dir / "cbr.mp3").read_bytes())
    report, changed = rebuild(show_dir, out)
    assert "episodes/s3-03-later/index.html" in changed
    assert "audio/season-3/03-later.mp3" in changed
    assert ELSEWHERE in changed  # it has a new neighbour: its pager names it
    assert "episodes/s1-02-what-health-equity-means/index.html" not in changed
    assert not any(p.endswith((".mp3", ".m4a")) for p in changed - {"audio/season-3/03-later.mp3"})
    assert_same_as_clean(show_dir, out, tmp_path)


@pytest.mark.slow  # three builds
def test_editing_show_yaml_rebuilds_every_page_and_rewrites_those_that_show_it(
    show_dir: Path, out: Path, tmp_path: Path
) -> None:
    show = show_dir / "show.yaml"
    text = show.read_text("utf-8")
    assert 'title: "Off the Charts' in text
    show.write_text(text.replace('title: "Off the Charts', 'title: "Still Off the Charts', 1))
    report, changed = rebuild(show_dir, out)
    assert report.rendered > report.files / 2
    assert {"index.html", "feed.xml", ELSEWHERE} <= changed
    assert not any(p.endswith((".mp3", ".m4a", ".jpg", ".css", ".js")) for p in changed)
    assert_same_as_clean(show_dir, out, tmp_path)


@pytest.mark.slow  # three builds
def test_a_template_change_rebuilds_what_uses_it(show_dir: Path, out: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(shipped_dir("templates"), templates)
    first = tmp_path / "first"
    export.build(make_app(show_dir, templates=templates), first, BASE)
    base = templates / "base.html"
    base.write_text(base.read_text("utf-8").replace("</body>", "<!-- changed --></body>"))
    report, changed = rebuild(show_dir, first, templates=templates)
    assert "<!-- changed -->" in (first / ELSEWHERE).read_text("utf-8")
    assert ELSEWHERE in changed and "feed.xml" not in changed
    clean = tmp_path / "clean"
    build_mirror.forget(show_dir)
    export.build(make_app(show_dir, templates=templates), clean, BASE)
    assert tree(first) == tree(clean)


def test_a_file_changed_by_hand_in_the_output_is_rebuilt(
    show_dir: Path, out: Path, tmp_path: Path
) -> None:
    page = out / ELSEWHERE
    page.write_text("edited by hand", "utf-8")
    report = export.build(make_app(show_dir), out, BASE)
    assert ELSEWHERE in report.written
    assert_same_as_clean(show_dir, out, tmp_path)


def test_without_the_manifest_nothing_unchanged_is_rewritten(
    show_dir: Path, out: Path, tmp_path: Path
) -> None:
    export.build_manifest.location(out).unlink()
    report, changed = rebuild(show_dir, out)
    index = set(tree(out)) - not_search_index(tree(out))  # Pagefind's files, never rendered
    assert report.rendered == report.files - len(index) and report.written == []
    assert changed == set()
    assert_same_as_clean(show_dir, out, tmp_path)


@pytest.mark.slow  # three builds
def test_an_episode_going_live_is_built_as_a_clean_build_would(
    show_dir: Path, tmp_path: Path
) -> None:
    newest = datetime(2026, 1, 13, 12, 0, tzinfo=UTC)  # the day the newest episode goes out
    site = tmp_path / "site"
    export.build(make_app(show_dir, clock=newest - timedelta(days=1)), site, BASE)
    assert not (site / ELSEWHERE).exists()
    report, changed = rebuild(show_dir, site, clock=newest)
    assert ELSEWHERE in changed and "feed.xml" in changed
    clean = tmp_path / "clean"
    build_mirror.forget(show_dir)
    export.build(make_app(show_dir, clock=newest), clean, BASE)
    assert tree(site) == tree(clean)


def test_inputs_that_change_no_byte_are_remembered(show_dir: Path, out: Path) -> None:
    export.build_manifest.location(out).unlink()  # as after new code: every URL renders
    first = export.build(make_app(show_dir), out, BASE)
    assert first.unchanged and first.rendered > first.files / 2
    again = export.build(make_app(show_dir), out, BASE)
    assert again.unchanged and again.rendered == 0


# --- an unchanged show found without loading it (`podcast build`'s first step) ---------------


def built_with_state(show_dir: Path, site: Path, **config: Any) -> str:
    state = export.folder_state(show_dir, BASE)
    export.build(make_app(show_dir, **config), site, BASE, state=state)
    return state


def test_an_unchanged_show_is_up_to_date_without_loading(show_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    state = built_with_state(show_dir, site)
    found = export.up_to_date(site, state, NOW)
    assert found is not None and found.unchanged
    assert found.files == len(tree(site)) - 1  # every file but the marker
    assert export.up_to_date(site, export.folder_state(show_dir, BASE + "/x"), NOW) is None


def test_any_change_means_not_up_to_date(show_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    built_with_state(show_dir, site)
    yaml = show_dir / "season-2" / "01-access-to-care.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Again,", 1), "utf-8")
    assert export.up_to_date(site, export.folder_state(show_dir, BASE), NOW) is None
    state = built_with_state(show_dir, site)  # now built from the edit
    assert export.up_to_date(site, state, NOW) is not None
    (site / ELSEWHERE).write_text("edited by hand", "utf-8")
    assert export.up_to_date(site, state, NOW) is None


def test_an_episode_going_live_means_not_up_to_date(show_dir: Path, tmp_path: Path) -> None:
    newest = datetime(2026, 1, 13, 12, 0, tzinfo=UTC)
    site = tmp_path / "site"
    state = built_with_state(show_dir, site, clock=newest - timedelta(days=1))
    assert export.up_to_date(site, state, newest - timedelta(hours=1)) is not None
    assert export.up_to_date(site, state, newest) is None


def test_a_template_change_means_not_up_to_date(show_dir: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(shipped_dir("templates"), templates)
    site = tmp_path / "site"
    state = built_with_state(show_dir, site, templates=templates)
    assert export.up_to_date(site, state, NOW) is not None
    base = templates / "base.html"
    base.write_text(base.read_text("utf-8") + "\n", "utf-8")
    assert export.up_to_date(site, state, NOW) is None


@pytest.mark.slow  # three builds
def test_podcast_build_twice_says_nothing_changed(
    show_dir: Path, tmp_path: Path, runner: CliRunner
) -> None:
    site = tmp_path / "site"
    args = ["build", str(site), "--root", str(show_dir), "--base-url", BASE]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    before = identities(site)
    again = runner.invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "Nothing changed" in again.output
    assert identities(site) == before
    yaml = an_episode_yaml(show_dir)
    yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Edited —", 1), "utf-8")
    third = runner.invoke(cli, args)
    assert third.exit_code == 0 and "Built" in third.output, third.output
    assert identities(site) != before


FORKED_BUILD = """
import json, sys
from datetime import datetime
from pathlib import Path
from podcast.publish import build as export
from podcast.read import parallel
from podcast.site.app import create_app
root, out, base, now = sys.argv[1:]
clock = datetime.fromisoformat(now)
config = {"EPISODES_ROOT": Path(root), "CLOCK": lambda: clock, "BASE_URL": base,
          "SEARCH_INDEX": False, "RELOAD_INTERVAL": None}  # as `podcast build` has them
app = create_app(config)
assert parallel.can_fork(), "a thread runs: the build would not fork"
done = export.build(app, Path(out), base, workers=2)
print(json.dumps([done.files, done.bytes, done.rendered, sorted(done.paths), sorted(done.written),
                  done.unchanged]))
"""


def test_a_clean_build_in_forked_renderers_equals_one_made_in_this_process(
    show_dir: Path, tmp_path: Path
) -> None:
    """`podcast build` renders a clean build in one forked process per CPU: the same files,
    bytes and report as rendering every page in one. The forked build runs in a process of
    its own, as `podcast build` does: this one may have threads, and then it never forks."""
    here = _built_here(show_dir, tmp_path / "here")
    forked = subprocess.run(_forked_build(show_dir, tmp_path / "forked"), capture_output=True)
    assert forked.returncode == 0, forked.stderr.decode()
    assert tree(tmp_path / "forked") == tree(tmp_path / "here")
    assert json.loads(forked.stdout) == _summary(here)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds renderers in /proc")
def test_a_renderer_killed_mid_build_costs_the_build_only_time(
    show_dir: Path, tmp_path: Path
) -> None:
    """A renderer killed while it works (as the kernel's OOM killer would): its pages, and the
    others not yet answered, are rendered by the build's own process; the same site results."""
    _grow(show_dir, 150)  # renderers at work long enough to be caught
    loader.load(show_dir)  # the audio probed: the build's load forks no probing worker
    here = _built_here(show_dir, tmp_path / "here")
    command = _forked_build(show_dir, tmp_path / "forked")
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = _kill_a_renderer(build.pid, command)
    stdout, stderr = build.communicate(timeout=600)
    assert killed, "the build ended before a renderer could be killed"
    assert build.returncode == 0, stderr.decode()
    assert tree(tmp_path / "forked") == tree(tmp_path / "here")
    # a batch is counted whole, from its renderer's answer or from this process: never twice
    assert json.loads(stdout) == _summary(here)


@pytest.mark.slow  # four builds of 157 episodes
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds renderers in /proc")
def test_an_incremental_build_with_every_page_to_render_forks_and_equals_a_clean_one(
    show_dir: Path, tmp_path: Path
) -> None:
    """A new show.yaml (or template, or version) renders every page again: an incremental
    build then renders in forked processes, as a clean one does, and the result is a clean
    build's. With every page rendered again and none changed, it still writes nothing."""
    _grow(show_dir, 150)  # more pages than an incremental build renders before it forks
    loader.load(show_dir)
    site = tmp_path / "site"
    _built_here(show_dir, site)
    export.build_manifest.forget(site)  # every page renders; each comes out as it was
    before = stamps(site)
    unchanged = _forked_build_watched(show_dir, site)
    assert unchanged[-1] is True and unchanged[-2] == []  # the report: nothing written
    assert unchanged[2] >= freeze.FORK_AFTER
    assert stamps(site) == before
    show = show_dir / "show.yaml"
    show.write_text(show.read_text("utf-8").replace('title: "Off the Charts', 'title: "Still', 1))
    edited = _forked_build_watched(show_dir, site)
    clean = _built_here(show_dir, tmp_path / "clean")
    assert tree(site) == tree(tmp_path / "clean")
    assert edited[-1] is False and set(edited[-2]) <= set(clean.written)
    assert "index.html" in edited[-2] and edited[:2] == _summary(clean)[:2]


def _forked_build_watched(show_dir: Path, out: Path) -> list[Any]:
    """FORKED_BUILD's summary of a build into `out`, which must have forked a renderer."""
    command = _forked_build(show_dir, out)
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = _renderer_seen(build.pid, command)
    stdout, stderr = build.communicate(timeout=600)
    assert build.returncode == 0, stderr.decode()
    assert seen, "the build rendered every page in its own process"
    summary: list[Any] = json.loads(stdout)
    return summary


def _built_here(show_dir: Path, out: Path) -> export.Report:
    """The clean build of `show_dir` rendered in this process, as FORKED_BUILD configures it."""
    build_mirror.forget(show_dir)  # into a new folder, it would reuse the last build's files
    config = {
        "EPISODES_ROOT": show_dir,
        "CLOCK": lambda: NOW,
        "BASE_URL": BASE,
        "SEARCH_INDEX": False,
        "RELOAD_INTERVAL": None,
    }
    return export.build(create_app(config), out, BASE, workers=1)


def _forked_build(show_dir: Path, out: Path) -> list[str]:
    """FORKED_BUILD's command; a build into a new folder then renders every page (no mirror)."""
    build_mirror.forget(show_dir)
    return [sys.executable, "-c", FORKED_BUILD, str(show_dir), str(out), BASE, NOW.isoformat()]


def _summary(report: export.Report) -> list[Any]:
    """What FORKED_BUILD prints of its report."""
    return [
        report.files,
        report.bytes,
        report.rendered,
        sorted(report.paths),
        sorted(report.written),
        report.unchanged,
    ]


def _grow(show_dir: Path, count: int) -> None:
    """`count` more episodes in season 1, each with its own copy of an episode's audio."""
    source = show_dir / "season-1" / "01-why-we-call-it-an-emergency"
    text = source.with_suffix(".yaml").read_text("utf-8")
    for number in range(100, 100 + count):
        stem = show_dir / "season-1" / f"{number}-copy"
        shutil.copyfile(source.with_suffix(".mp3"), stem.with_suffix(".mp3"))
        episode = text.replace("episode: 1\n", f"episode: {number}\n")
        episode = episode.replace("title: Why", f"title: Copy {number} of why")
        episode = episode.replace("38b421c9-1a98-4e61-ac18-3ab2fd2431da", str(uuid.uuid4()))
        stem.with_suffix(".yaml").write_text(episode, "utf-8")


def _kill_a_renderer(pid: int, command: list[str]) -> bool:
    """SIGKILL the first child of process `pid` running its `command` (a forked renderer)
    seen while `pid` runs; whether one was."""
    return _renderer_seen(pid, command, signal.SIGKILL)


def _renderer_seen(pid: int, command: list[str], send: int = 0) -> bool:
    """Whether a child of process `pid` ran its `command` (a forked renderer) while `pid` ran;
    the first one seen is sent signal `send` (0: none)."""
    own = "".join(f"{part}\0" for part in command).encode()
    while Path(f"/proc/{pid}").exists() and not _exited(pid):
        for child in _children(pid):
            try:
                if Path(f"/proc/{child}/cmdline").read_bytes() == own:
                    if send:
                        os.kill(child, send)
                    return True
            except (OSError, ProcessLookupError):
                continue  # gone meanwhile
        time.sleep(0.002)
    return False


def _exited(pid: int) -> bool:
    """Whether `pid` has ended and waits to be reaped (a zombie keeps its /proc entry)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] == "Z"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # the field after the state
                found.append(int(entry.name))
    return found
