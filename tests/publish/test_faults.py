"""Faults: `podcast build` and `podcast add` killed mid-way, a full disk, a read-only folder.

The commands run as real subprocesses. They are killed with SIGKILL at random moments and, with
strace's fault injection, at each step that changes the disk (every rename, link, mkdir and
unlink they make), so every window between two steps is visited. After each kill the previous
output and the episodes folder must be intact and the next run must succeed. strace follows the
command's own process only: the Pagefind binary a build runs works in a temporary folder of its
own, and its threads make a varying number of mkdirs, which would move the kill points.
"""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from support.audio import tone
from support.scratch import DATA, snapshot

from podcast.read.catalog import default_root, load

pytestmark = pytest.mark.slow  # run by CI; skipped by `pytest -m "not slow"`
BASE = "https://offthecharts.example"
# strace is a Debian package (.ci/apt-packages.txt): skipped on a machine without it, never in CI
needs_strace = pytest.mark.skipif(
    shutil.which("strace") is None and not os.environ.get("CI"),
    reason="strace is not installed (.ci/apt-packages.txt)",
)
SIGKILLED = (-signal.SIGKILL, 128 + signal.SIGKILL)


def podcast(
    *args: str, cwd: Path, prefix: tuple[str, ...] = (), preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m podcast ARGS` (under `prefix`, e.g. strace) and wait for it."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "podcast", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=preexec,
    )


def kill_at(syscall: str, nth: int) -> tuple[str, ...]:
    """An strace prefix that SIGKILLs the command on entering its `nth` `syscall`."""
    return (
        "strace",
        "-qq",
        "-o",
        "/dev/null",
        "-e",
        f"trace={syscall}",
        "-e",
        f"inject={syscall}:signal=SIGKILL:when={nth}",
    )


def count_syscalls(args: tuple[str, ...], cwd: Path, names: list[str]) -> dict[str, int]:
    """How often a successful run makes each of `names` (strace -c)."""
    report = cwd / "strace-count.txt"
    done = podcast(
        *args,
        cwd=cwd,
        prefix=("strace", "-c", "-o", str(report), "-e", "trace=" + ",".join(names)),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    counts = {name: 0 for name in names}
    for line in report.read_text().splitlines():
        fields = line.split()
        if fields and fields[-1] in counts:
            counts[fields[-1]] = int(fields[3])
    report.unlink()
    return counts


def kill_points(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Every occurrence of the rare steps; first, middle and last of the frequent ones."""
    points = []
    for name, total in counts.items():
        chosen = range(1, total + 1) if total <= 6 else sorted({1, total // 2, total})
        points += [(name, n) for n in chosen]
    return points


DISK_STEPS = [
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "mkdir",
    "mkdirat",
    "unlink",
    "unlinkat",
    "fsync",
]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A folder holding a copy of the shipped show as `episodes/`."""
    shutil.copytree(default_root(), tmp_path / "episodes")
    return tmp_path


def _episodes(workspace: Path) -> dict[str, tuple[object, ...]]:
    return snapshot(workspace / "episodes")


def _retitle_an_episode(workspace: Path, back: bool = False) -> None:
    """Change what the site shows, so a rebuild has pages to write (a no-op build writes none)."""
    yaml = workspace / "episodes" / "season-2" / "01-access-to-care.yaml"
    titles = ("title: Access to care", "title: Access, again")
    old, new = reversed(titles) if back else titles
    yaml.write_text(yaml.read_text("utf-8").replace(old, new))


def _leftovers(workspace: Path) -> list[str]:
    return sorted(p.name for p in workspace.iterdir() if p.name.startswith(".site."))


# --- build ---------------------------------------------------------------------------------

BUILD = ("build", "site", "--root", "episodes", "--base-url", BASE)


@pytest.fixture
def built(workspace: Path) -> dict[str, tuple[object, ...]]:
    """A first, successful build in workspace/site; returns its snapshot."""
    done = podcast(*BUILD, cwd=workspace)
    assert done.returncode == 0, done.stdout + done.stderr
    return snapshot(workspace / "site")


def _assert_build_survived(
    workspace: Path,
    previous: dict[str, tuple[object, ...]],
    episodes: dict[str, tuple[object, ...]],
    what: str,
    new: dict[str, tuple[object, ...]] | None = None,
) -> None:
    """The output is the previous build, or (killed after its swap) the whole new one."""
    assert (workspace / "site").is_dir(), f"{what}: the previous output is gone"
    found = snapshot(workspace / "site")
    assert found == previous or found == new, f"{what}: the previous output changed"
    assert _episodes(workspace) == episodes, f"{what}: the episodes folder changed"
    load(workspace / "episodes")


def test_build_killed_at_random_moments(
    workspace: Path, built: dict[str, tuple[object, ...]]
) -> None:
    episodes = _episodes(workspace)
    started = time.monotonic()
    assert podcast(*BUILD, cwd=workspace).returncode == 0
    duration = time.monotonic() - started  # only to spread the kills over a run
    chooser = random.Random(7)
    for round_number in range(6):
        process = subprocess.Popen(
            [sys.executable, "-m", "podcast", *BUILD],
            cwd=workspace,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chooser.uniform(0.05, duration * 1.2))
        process.kill()
        process.wait()
        _assert_build_survived(workspace, built, episodes, f"kill {round_number}")
    done = podcast(*BUILD, cwd=workspace)
    assert done.returncode == 0, done.stdout + done.stderr
    assert snapshot(workspace / "site") == built


@needs_strace
def test_build_killed_at_each_disk_step(
    workspace: Path, built: dict[str, tuple[object, ...]]
) -> None:
    # A build with nothing to do touches no disk, so every run here has pages to write: the
    # same retitling each time, from the same previous build.
    _retitle_an_episode(workspace)
    points = kill_points(count_syscalls(BUILD, workspace, DISK_STEPS))
    assert points
    retitled = snapshot(workspace / "site")
    broken = []
    for syscall, nth in points:
        _retitle_an_episode(workspace, back=True)
        assert podcast(*BUILD, cwd=workspace).returncode == 0
        assert snapshot(workspace / "site") == built
        _retitle_an_episode(workspace)
        episodes = _episodes(workspace)
        done = podcast(*BUILD, cwd=workspace, prefix=kill_at(syscall, nth))
        assert done.returncode in SIGKILLED, (syscall, nth, done.stderr[-500:])
        try:
            what = f"killed at {syscall} #{nth}"
            _assert_build_survived(workspace, built, episodes, what, new=retitled)
        except AssertionError as exc:
            broken.append(str(exc).splitlines()[0])
        again = podcast(*BUILD, cwd=workspace)
        assert again.returncode == 0, again.stdout + again.stderr
        assert snapshot(workspace / "site") == retitled
    assert not broken, "\n".join(broken)


@needs_strace
def test_a_rebuild_clears_what_a_killed_build_left(
    workspace: Path, built: dict[str, tuple[object, ...]]
) -> None:
    _retitle_an_episode(workspace)
    done = podcast(*BUILD, cwd=workspace, prefix=kill_at("rename", 1))
    assert done.returncode in SIGKILLED
    assert podcast(*BUILD, cwd=workspace).returncode == 0
    assert _leftovers(workspace) == []


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """chattr +i: even root cannot create, rename or delete entries in `path`."""
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def _file_size_limit(limit: int) -> Callable[[], None]:
    def limit_child() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() fails with EFBIG instead

    return limit_child


def _assert_clean_failure(done: subprocess.CompletedProcess[str]) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output, output
    assert "Error:" in output, output


def test_build_on_a_full_disk_fails_cleanly(
    workspace: Path, built: dict[str, tuple[object, ...]]
) -> None:
    _retitle_an_episode(workspace)
    episodes = _episodes(workspace)
    # below the size of the pages and feed the change rewrites (the feed is about 16 KiB)
    done = podcast(*BUILD, cwd=workspace, preexec=_file_size_limit(4 * 1024))
    assert snapshot(workspace / "site") == built
    assert _episodes(workspace) == episodes
    assert _leftovers(workspace) == []
    _assert_clean_failure(done)


def test_build_into_a_read_only_folder_fails_cleanly(
    workspace: Path, built: dict[str, tuple[object, ...]]
) -> None:
    _retitle_an_episode(workspace)  # pages to write: a build with nothing to do writes nothing
    with immutable(workspace):
        done = podcast(*BUILD, cwd=workspace)
        assert snapshot(workspace / "site") == built
    _assert_clean_failure(done)


def test_a_build_with_nothing_to_do_needs_no_write_access(
    workspace: Path, built: dict[str, tuple[object, ...]]
) -> None:
    with immutable(workspace), immutable(workspace / "site"):
        done = podcast(*BUILD, cwd=workspace)
        assert snapshot(workspace / "site") == built
    assert done.returncode == 0 and "Nothing changed" in done.stdout, done.stdout + done.stderr


def test_build_into_a_path_under_a_regular_file_fails_cleanly(workspace: Path) -> None:
    (workspace / "a-file").write_text("not a folder")
    done = podcast("build", "a-file/site", "--root", "episodes", "--base-url", BASE, cwd=workspace)
    assert done.returncode in (1, 2), done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert (workspace / "a-file").read_text() == "not a folder"


# --- add -----------------------------------------------------------------------------------


def _add(title: str, source: str = "incoming/new.mp3", *extra: str) -> tuple[str, ...]:
    return (
        "add",
        source,
        "--root",
        "episodes",
        "--season",
        "3",
        "--title",
        title,
        "--published",
        "2026-03-03T06:00:00-06:00",
        *extra,
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_add_survived(workspace: Path, before: dict[str, tuple[object, ...]], what: str) -> None:
    """Every file that was there is unchanged; the catalog loads (nothing half-written)."""
    now = _episodes(workspace)
    changed = [name for name, entry in before.items() if now.get(name) != entry]
    assert not changed, f"{what}: changed or removed {changed}"
    load(workspace / "episodes")


@pytest.fixture
def incoming(workspace: Path) -> Path:
    """An exported episode waiting to be added (a copy of a committed test MP3)."""
    folder = workspace / "incoming"
    folder.mkdir()
    shutil.copy(DATA / "cbr.mp3", folder / "new.mp3")
    return folder / "new.mp3"


def _distinct(path: Path, mark: str) -> None:
    """Make this export a recording of its own (a tone whose pitch comes from `mark`): `add`
    refuses audio already in the show, whatever its tags."""
    pitch = 200 + int(hashlib.sha256(mark.encode()).hexdigest(), 16) % 3000
    tone(path, seconds=3, frequency=pitch, codec=["-c:a", "libmp3lame", "-b:a", "64k"])


def test_add_killed_at_random_moments(workspace: Path, incoming: Path) -> None:
    source = _digest(incoming)
    chooser = random.Random(11)
    for round_number in range(6):
        before = _episodes(workspace)
        title = f"Random kill {round_number}"
        process = subprocess.Popen(
            [sys.executable, "-m", "podcast", *_add(title)],
            cwd=workspace,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chooser.uniform(0.05, 1.5))
        process.kill()
        process.wait()
        _assert_add_survived(workspace, before, f"kill {round_number}")
        assert _digest(incoming) == source
    _distinct(incoming, "after the kills")  # a round that finished made the old bytes an episode
    done = podcast(*_add("After the kills"), cwd=workspace)
    assert done.returncode == 0, done.stdout + done.stderr
    titles = {e.title for e in load(workspace / "episodes").episodes}
    assert "After the kills" in titles


@needs_strace
def test_add_killed_at_each_disk_step_then_the_same_add_succeeds(
    workspace: Path, incoming: Path
) -> None:
    command = _add("Counted")
    counting = workspace / "counting"
    shutil.copytree(workspace / "episodes", counting / "episodes")
    shutil.copytree(workspace / "incoming", counting / "incoming")
    points = kill_points(count_syscalls(command, counting, DISK_STEPS))
    assert points
    failures = []
    for index, (syscall, nth) in enumerate(points):
        title = f"Step {index}"
        _distinct(incoming, title)  # each step adds a new episode, so new audio
        before = _episodes(workspace)
        done = podcast(*_add(title), cwd=workspace, prefix=kill_at(syscall, nth))
        assert done.returncode in SIGKILLED, (syscall, nth, done.stderr[-500:])
        _assert_add_survived(workspace, before, f"killed at {syscall} #{nth}")
        finished = [  # a new episode YAML in place (a hidden temporary one is not)
            name
            for name in _episodes(workspace)
            if name not in before and name.endswith(".yaml") and not Path(name).name[0] == "."
        ]
        again = podcast(*_add(title), cwd=workspace)
        said = (again.stdout + again.stderr).strip()
        if finished:  # killed after its YAML was in place: the episode exists, once
            refused = f"is already an episode: {finished[0]} has the same audio" in said
            if again.returncode != 1 or not refused:
                failures.append(f"{syscall} #{nth}: added twice, or not named: {said[-200:]}")
        elif again.returncode != 0:
            failures.append(f"{syscall} #{nth}: {said[-200:]}")
    assert not failures, "\n".join(failures)


@needs_strace
def test_add_with_move_never_loses_the_audio(workspace: Path, incoming: Path) -> None:
    counting = workspace / "counting"
    shutil.copytree(workspace / "episodes", counting / "episodes")
    shutil.copytree(workspace / "incoming", counting / "incoming")
    points = kill_points(
        count_syscalls(_add("Moved", "incoming/new.mp3", "--move"), counting, DISK_STEPS)
    )
    for index, (syscall, nth) in enumerate(points):
        source = workspace / "incoming" / f"move-{index}.mp3"
        shutil.copy(DATA / "cbr.mp3", source)
        _distinct(source, f"move {index}")
        audio = _digest(source)
        before = _episodes(workspace)
        done = podcast(
            *_add(f"Moved {index}", str(source.relative_to(workspace)), "--move"),
            cwd=workspace,
            prefix=kill_at(syscall, nth),
        )
        assert done.returncode in SIGKILLED, (syscall, nth, done.stderr[-500:])
        _assert_add_survived(workspace, before, f"killed at {syscall} #{nth}")
        episodes = workspace / "episodes"
        placed = [p for p in episodes.rglob("*.mp3") if str(p.relative_to(episodes)) not in before]
        kept = source.is_file() and _digest(source) == audio
        assert kept or any(_digest(p) == audio for p in placed), f"lost at {syscall} #{nth}"


def test_kill_points_cover_every_rare_step() -> None:
    """The enumeration the strace tests rely on."""
    points = kill_points({"rename": 2, "mkdir": 40, "link": 0})
    assert points == [("rename", 1), ("rename", 2), ("mkdir", 1), ("mkdir", 20), ("mkdir", 40)]
