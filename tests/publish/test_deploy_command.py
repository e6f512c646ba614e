"""What `podcast deploy` prints and how it exits, to a folder target: summary, plan, refusals."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from podcast.cli import cli
from podcast.publish.targets import MANIFEST

BASE = "https://listen.example.org"
EPISODE = "season-2/01-access-to-care"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The staging folder lives in a per-test cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def deploy(show: Path, out: Path, *extra: str) -> Result:
    """`podcast deploy OUT --root SHOW` with these options."""
    return CliRunner().invoke(cli, ["deploy", str(out), "--root", str(show), *extra])


def deployed(out: Path) -> dict[str, int]:
    """Every file the deploy wrote into the folder (but its manifest), with its size."""
    files = (p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)
    return {p.relative_to(out).as_posix(): p.stat().st_size for p in files}


def test_a_deploy_says_where_how_much_and_then_that_nothing_changed(
    show_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "webroot"
    first = deploy(show_dir, out, "--base-url", BASE)
    assert first.exit_code == 0, first.output
    files = deployed(out)
    megabytes = sum(files.values()) / 1e6
    assert first.stdout == (
        f"Deployed to {out}: {len(files)} uploaded ({megabytes:.1f} MB), 0 deleted, 0 untouched\n"
    )
    assert first.stderr == ""
    again = deploy(show_dir, out, "--base-url", BASE)
    assert again.exit_code == 0, again.output
    assert again.stdout == (
        f"Deployed to {out}: 0 uploaded (0.0 MB), 0 deleted, {len(files)} untouched\n"
    )


def test_a_dry_run_lists_each_upload_and_writes_nothing(show_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "webroot"
    result = deploy(show_dir, out, "--base-url", BASE, "--dry-run")
    assert result.exit_code == 0, result.output
    *uploads, summary = result.stdout.splitlines()
    shown = [re.fullmatch(r"upload  (\S+)  ([\d,]+) bytes  \(new\)", line) for line in uploads]
    assert all(shown), uploads
    sizes = {m.group(1): int(m.group(2).replace(",", "")) for m in shown if m}
    assert summary == (
        f"Dry run: {len(sizes)} upload(s) ({sum(sizes.values()) / 1e6:.1f} MB), "
        "0 deletion(s), 0 untouched; nothing was changed"
    )
    assert [line.split()[1] for line in uploads][-3:] == ["feed.xml", "sitemap.xml", "robots.txt"]
    assert not out.exists()


def test_deletions_over_the_cap_are_kept_with_a_warning_each(
    show_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "webroot"
    assert deploy(show_dir, out, "--base-url", BASE).exit_code == 0
    before = set(deployed(out))
    for suffix in (".yaml", ".m4a", ".srt"):
        (show_dir / f"{EPISODE}{suffix}").unlink()
    capped = deploy(show_dir, out, "--base-url", BASE, "--max-deletes", "1")
    assert capped.exit_code == 0, capped.output
    summary = r"Deployed to .*: \d+ uploaded \(\d+\.\d MB\), 0 deleted, \d+ untouched\n"
    assert re.fullmatch(summary, capped.stdout), capped.stdout
    kept = capped.stderr.splitlines()
    why = rf"\({len(kept)} deletions exceed --max-deletes 1\)"
    assert all(re.fullmatch(rf"Warning: kept \S+ {why}", line) for line in kept), kept
    keys = {line.split()[2] for line in kept}
    assert "episodes/s2-01-access-to-care/index.html" in keys
    assert keys <= before and all((out / key).is_file() for key in keys)


def test_a_show_with_errors_is_refused_before_anything_is_written(
    show_dir: Path, tmp_path: Path
) -> None:
    yaml = show_dir / f"{EPISODE}.yaml"
    yaml.write_text(yaml.read_text().replace("title: Access to care", "title: " + "x" * 300))
    out = tmp_path / "webroot"
    result = deploy(show_dir, out, "--base-url", BASE)
    assert result.exit_code == 1, result.output
    *problems, last = result.stderr.splitlines()
    assert any(line.startswith(f"{yaml}:") and "title-length" in line for line in problems)
    assert last == (
        "Error: 1 error(s) would reach listeners; fix them (see `podcast check`); "
        "nothing was deployed"
    )
    assert result.stdout == "" and not out.exists()


def test_a_site_needs_its_public_address(show_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "webroot"
    missing = deploy(show_dir, out)
    assert missing.exit_code == 2, missing.output
    assert missing.stderr.endswith(
        "Error: a static site needs its public address: pass --base-url https://… "
        "or set site.base_url in show.yaml\n"
    )
    relative = deploy(show_dir, out, "--base-url", "listen.example.org")
    assert relative.exit_code == 2, relative.output
    assert relative.stderr.endswith(
        "Error: Invalid value for --base-url: 'listen.example.org' is not an absolute http(s) URL\n"
    )
    media = deploy(show_dir, out, "--base-url", BASE, "--media-base-url", "ftp://media")
    assert media.exit_code == 2, media.output
    assert media.stderr.endswith(
        "Error: Invalid value for --media-base-url: 'ftp://media' is not an absolute http(s) URL\n"
    )
    assert not out.exists()


@pytest.fixture
def plain_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served by Python's plain file server: no ranges, its own content types."""
    folder = tmp_path / "webroot"
    folder.mkdir()
    handler = functools.partial(Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class Quiet(SimpleHTTPRequestHandler):
    """No request log on stderr."""

    def log_message(self, *args: object) -> None:
        """Quiet."""


def test_verify_reports_each_problem_and_fails(
    show_dir: Path, plain_server: tuple[Path, str]
) -> None:
    out, url = plain_server
    result = deploy(show_dir, out, "--base-url", BASE, "--verify", url)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(f"Deployed to {out}: ")
    *problems, last = result.stderr.splitlines()
    assert problems and all(line.startswith(f"{url}/") for line in problems), problems
    assert any("Range bytes=0-1 answered 200, expected 206" in line for line in problems)
    assert last == f"Error: {len(problems)} problem(s) at {url}"
