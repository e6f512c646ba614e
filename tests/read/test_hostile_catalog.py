"""Every hostile catalog in the table gets a clear error (file, line, hint) or loads safely.

Each case breaks a scratch show one way (see tests/support/hostile_catalogs.py). For a case that
must fail: the loader raises CatalogError naming the file and line with a hint, `podcast check`
exits 1 with that message and no traceback. For a case that must load: the feed is well-formed
and the two parsers apps use agree on it, every page renders with no live user markup and the
audio answers range requests with its exact length. Either way nothing on disk changes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.clock import NOW
from support.hostile_catalogs import ALL, Case, Fails, Loads
from support.outputs import BASE_URL, assert_feed_sound, assert_no_live_markup, feed_of
from support.scratch import Scratch, run_cli, snapshot

from podcast.errors import CatalogError, Problem, Severity
from podcast.model import Catalog
from podcast.read.catalog import load
from podcast.read.probe_cache import cache_path
from podcast.render import urls
from podcast.site.app import create_app


def test_the_table_has_at_least_sixty_distinct_cases() -> None:
    ids = [case.id for case in ALL]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", ALL, ids=lambda case: case.id)
def test_hostile_catalog(case: Case, tmp_path: Path) -> None:
    scratch = Scratch.create(tmp_path / "show")
    case.setup(scratch)
    before = snapshot(tmp_path)
    if isinstance(case.expect, Fails):
        _assert_fails(scratch, case.expect)
    else:
        _assert_loads(scratch, case.expect)
    assert snapshot(tmp_path) == before, "the catalog folder (or a file beside it) changed"


def _expected_line(scratch: Scratch, file: str, line: int | str | None) -> int | None:
    """A line number as given, or the line where `key:` starts in the file."""
    if not isinstance(line, str):
        return line
    lines = scratch.path(file).read_text("utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if text.startswith(f"{line}:"))


def _matching(
    problems: tuple[Problem, ...], scratch: Scratch, file: str, line: int | None, message: str
) -> Problem:
    path = scratch.path(file)
    found = [
        p for p in problems if p.path == path and p.line == line and re.search(message, p.message)
    ]
    assert found, f"no problem at {file}:{line} matching {message!r}; got:\n" + "\n".join(
        str(p) for p in problems
    )
    return found[0]


def _assert_fails(scratch: Scratch, expect: Fails) -> None:
    with pytest.raises(CatalogError) as raised:
        load(scratch.root)
    problems = raised.value.problems
    line = _expected_line(scratch, expect.file, expect.line)
    problem = _matching(problems, scratch, expect.file, line, expect.message)
    assert problem.severity is Severity.ERROR
    for each in problems:
        assert each.hint, f"no hint: {each}"
        assert each.path is not None and _within(each.path, scratch.root), (
            f"names no file of the catalog: {each}"
        )

    result = run_cli("check", "--root", str(scratch.root))
    assert result.exit_code == 1, result.output
    _assert_reported(result.output, problem, expect.message)


def _assert_reported(output: str, problem: Problem, message: str) -> None:
    """The CLI printed the problem as `…name:line: …message` with its hint (same or next line),
    and no traceback. The path may be shortened (relative to the working folder)."""
    assert "Traceback" not in output, output
    where = re.escape(problem.path.name if problem.path else "") + (
        f":{problem.line}:" if problem.line else ":"
    )
    lines = output.splitlines()
    for index, text in enumerate(lines):
        if re.search(where, text) and re.search(message, text):
            assert "hint" in " ".join(lines[index : index + 2]), output
            return
    raise AssertionError(f"`{where}` with {message!r} not in the output:\n{output}")


def _within(path: Path, root: Path) -> bool:
    return os.path.normpath(path).startswith(str(root) + os.sep) or path == root


def _assert_loads(scratch: Scratch, expect: Loads) -> None:
    catalog = load(scratch.root)
    if expect.check:
        expect.check(catalog, scratch)
    if expect.warning:
        file, key, message = expect.warning
        line = _expected_line(scratch, file, key)
        _matching(catalog.warnings, scratch, file, line, message)
    # `check` may still refuse what the loader accepts (a pre-publish rule, e.g. WAV audio);
    # either way it says why and never crashes
    result = run_cli("check", "--root", str(scratch.root))
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert "hint" in result.output, result.output
    visible = catalog.visible(NOW)
    assert_feed_sound(feed_of(catalog), [e.guid for e in visible])
    _assert_site_safe(scratch, catalog)


def _assert_site_safe(scratch: Scratch, catalog: Catalog) -> None:
    """Every page renders with no live user markup; audio ranges carry the exact length."""
    app = create_app({"EPISODES_ROOT": scratch.root, "CLOCK": lambda: NOW, "BASE_URL": BASE_URL})
    client = app.test_client()
    visible = catalog.visible(NOW)
    pages = [
        "/",
        *{f"/seasons/{e.season}/" for e in visible},
        *(f"/episodes/{e.slug}/" for e in visible),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_no_live_markup(response.data, where=page)
    response = client.get("/feed.xml")
    assert response.status_code == 200
    assert_feed_sound(response.data, [e.guid for e in visible])
    for episode in visible:
        for extra in (
            "chapters.json",
            f"transcript.{getattr(episode.transcript, 'extension', 'vtt')}",
        ):
            with client.get(f"/episodes/{episode.slug}/{extra}") as response:
                assert response.status_code in (200, 404), extra
        url = "/audio/" + urls.audio_path(catalog, episode)  # quoted, as in the feed
        size = episode.audio.size
        with client.get(url, headers={"Range": "bytes=-10"}) as tail:
            assert tail.status_code == 206, url
            assert tail.headers["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"
            assert len(tail.data) == 10


# --- the audio-probe cache the CLI keeps in the user's cache directory -----------------------


def _check_in_subprocess(root: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "podcast", "check", "--root", str(root)]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("`podcast check` hung")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\xff" * 500,
        b'{"version": 1, "entries": {"x": [1, 2]}}',
        pytest.param(b"[" * 5000, id="deeply-nested"),
    ],
)
def test_a_corrupt_probe_cache_is_ignored(tmp_path: Path, content: bytes) -> None:
    scratch = Scratch.create(tmp_path / "show")
    path = cache_path(scratch.root)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    done = _check_in_subprocess(scratch.root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_a_pipe_in_the_probe_cache_does_not_hang_the_cli(tmp_path: Path) -> None:
    scratch = Scratch.create(tmp_path / "show")
    path = cache_path(scratch.root)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    done = _check_in_subprocess(scratch.root)
    assert done.returncode == 0, done.stdout + done.stderr
