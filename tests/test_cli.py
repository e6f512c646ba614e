"""The `podcast` command as a producer uses it: add, check, build, serve."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
import yaml
from click.testing import CliRunner
from mutagen.id3 import COMM, ID3
from PIL import Image
from support.audio import decoded_md5, tone
from support.clock import NOW

from podcast.cli import cli
from podcast.read import catalog
from podcast.render import feed


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def invoke(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


# --- add --------------------------------------------------------------------------------------


def test_add_an_mp3_prefills_from_its_id3_tags(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    result = runner.invoke(
        cli, ["add", str(data_dir / "cbr.mp3"), "--root", str(show_dir), "--season", "3"]
    )
    assert result.exit_code == 0, result.output
    yaml_path = show_dir / "season-3" / "04-tagged-title.yaml"  # track 4, title tag
    copy = show_dir / "season-3" / "04-tagged-title.mp3"
    assert decoded_md5(copy) == decoded_md5(data_dir / "cbr.mp3")  # tagged, samples untouched
    assert ID3(copy)["TALB"].text == [catalog.load(show_dir).show.title]
    assert "TALB" not in ID3(data_dir / "cbr.mp3")  # the producer's original is not tagged
    assert "04-tagged-title.yaml" in result.output
    assert "Still to fill in 04-tagged-title.yaml: notes" in result.output
    data = yaml.safe_load(yaml_path.read_text("utf-8"))
    assert data["title"] == "Tagged title"
    assert (data["season"], data["episode"], data["type"]) == (3, 4, "full")
    assert data["summary"] == "A comment"
    assert str(uuid.UUID(data["guid"])) == data["guid"]
    assert data["published"].date().isoformat() == "2024-03-05"
    assert data["published"].hour == 6 and data["published"].tzinfo is not None
    episode = catalog.load(show_dir).find("s3-04-tagged-title")
    assert episode is not None and episode.guid == data["guid"]
    assert (data_dir / "cbr.mp3").exists()  # copied, not moved


def test_add_an_m4a_with_options_overriding_tags(
    runner: CliRunner, show_dir: Path, data_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "Raw Export (final).m4a"
    shutil.copyfile(data_dir / "tagged.m4a", source)
    result = runner.invoke(
        cli,
        [
            "add",
            str(source),
            "--root",
            str(show_dir),
            "--season",
            "2",
            "--episode",
            "3",
            "--title",
            "Café société: access, part two",
            "--published",
            "2026-12-01T06:00:00-06:00",
            "--move",
        ],
    )
    assert result.exit_code == 0, result.output
    audio = show_dir / "season-2" / "03-cafe-societe-access-part-two.m4a"
    assert audio.is_file() and not source.exists()
    loaded = catalog.load(show_dir)
    episode = loaded.find("s2-03-cafe-societe-access-part-two")
    assert episode is not None
    assert episode.title == "Café société: access, part two"
    assert episode.published == datetime.fromisoformat("2026-12-01T06:00:00-06:00")
    assert episode in loaded.drafts(NOW)
    assert episode.audio.mime == "audio/x-m4a"


def test_add_takes_the_next_free_number_of_the_latest_season(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    result = runner.invoke(cli, ["add", str(data_dir / "vbr-xing.mp3"), "--root", str(show_dir)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((show_dir / "season-3" / "03-vbr-xing.yaml").read_text("utf-8"))
    assert (data["season"], data["episode"], data["title"]) == (3, 3, "Vbr xing")


def test_add_a_trailer_has_no_number(runner: CliRunner, show_dir: Path, data_dir: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "add",
            str(data_dir / "vbr-xing.mp3"),
            "--root",
            str(show_dir),
            "--type",
            "trailer",
            "--title",
            "Season three is coming",
        ],
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(
        (show_dir / "season-3" / "trailer-season-three-is-coming.yaml").read_text("utf-8")
    )
    assert data["type"] == "trailer" and "episode" not in data


def test_add_never_overwrites(runner: CliRunner, show_dir: Path, data_dir: Path) -> None:
    args = ["add", str(data_dir / "cbr.mp3"), "--root", str(show_dir), "--season", "3"]
    assert runner.invoke(cli, args).exit_code == 0
    other = ["add", str(data_dir / "vbr-xing.mp3"), "--root", str(show_dir), "--season", "3"]
    result = runner.invoke(cli, [*other, "--title", "Tagged title", "--episode", "5"])
    assert result.exit_code == 0, result.output  # same title: the YAML name differs
    before = tree(show_dir)
    result = runner.invoke(cli, [*args, "--episode", "5"])
    assert result.exit_code == 1
    assert "season 3 already has an episode 5; nothing was changed" in result.output
    (show_dir / "season-3" / "06-tagged-title.mp3").write_bytes(b"someone else's file")
    before = tree(show_dir)
    result = runner.invoke(cli, [*args, "--episode", "6"])  # cbr.mp3 is episode 4 already
    assert result.exit_code == 1
    assert "cbr.mp3 is already an episode: season-3/04-tagged-title.yaml" in result.output
    third = ["add", str(data_dir / "chapters.mp3"), "--root", str(show_dir), "--season", "3"]
    result = runner.invoke(cli, [*third, "--title", "Tagged title", "--episode", "6"])
    assert result.exit_code == 1
    assert "season-3/06-tagged-title.mp3 already exists; nothing was changed" in result.output
    assert tree(show_dir) == before


def test_add_adopts_its_own_orphan_audio_but_not_a_claimed_one(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    args = ["add", str(data_dir / "cbr.mp3"), "--root", str(show_dir), "--season", "3"]
    orphan = show_dir / "season-3" / "06-tagged-title.mp3"
    orphan.parent.mkdir(exist_ok=True)
    shutil.copy(data_dir / "cbr.mp3", orphan)  # what an add killed before its YAML leaves
    result = runner.invoke(cli, [*args, "--episode", "6"])
    assert result.exit_code == 0, result.output
    assert decoded_md5(orphan) == decoded_md5(data_dir / "cbr.mp3")  # adopted, then tagged
    assert ID3(orphan)["TALB"].text == [catalog.load(show_dir).show.title]
    assert sorted(p.name for p in orphan.parent.glob("06-*")) == [
        "06-tagged-title.mp3",
        "06-tagged-title.yaml",
    ]
    assert (show_dir / "season-3" / "06-tagged-title.yaml").is_file()
    claimed = show_dir / "season-3" / "07-tagged-title.mp3"
    shutil.copy(data_dir / "cbr.mp3", claimed)
    (show_dir / "season-3" / "06-tagged-title.yaml").write_text(
        (show_dir / "season-3" / "06-tagged-title.yaml").read_text("utf-8")
        + "audio: 07-tagged-title.mp3\n",
        "utf-8",
    )
    before = tree(show_dir)
    result = runner.invoke(cli, [*args, "--episode", "7"])
    assert result.exit_code == 1
    assert "season-3/07-tagged-title.mp3 already exists; nothing was changed" in result.output
    assert tree(show_dir) == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-audio.mp3", "not readable as audio"),
        ("truncated.mp3", "not readable as audio"),
        ("empty.mp3", "empty"),
        ("voice.flac", "audio/flac, which podcast apps do not play"),
    ],
)
def test_add_refuses_what_is_not_podcast_audio(
    runner: CliRunner, show_dir: Path, data_dir: Path, name: str, message: str
) -> None:
    before = tree(show_dir)
    result = runner.invoke(cli, ["add", str(data_dir / name), "--root", str(show_dir)])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert tree(show_dir) == before


def test_add_warns_for_formats_apps_play_poorly(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    result = runner.invoke(
        cli, ["add", str(data_dir / "voice.opus"), "--root", str(show_dir), "--title", "Opus test"]
    )
    assert result.exit_code == 0, result.output
    assert "warning: audio/ogg" in result.output
    assert (show_dir / "season-3" / "03-opus-test.opus").is_file()


def test_add_needs_a_zone_and_a_show(
    runner: CliRunner, show_dir: Path, data_dir: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        cli,
        [
            "add",
            str(data_dir / "cbr.mp3"),
            "--root",
            str(show_dir),
            "--published",
            "2026-12-01T06:00:00",
        ],
    )
    assert result.exit_code == 2 and "no time zone" in result.output
    result = runner.invoke(cli, ["add", str(data_dir / "cbr.mp3"), "--root", str(tmp_path)])
    assert result.exit_code == 2 and "no show.yaml" in result.output


def test_an_added_episode_passes_check_except_for_its_notes(
    runner: CliRunner, show_dir: Path, tmp_path: Path
) -> None:
    # audio at Apple's -16 LUFS: the loudness rule judges the producer's audio, not `add`
    audio = tone(tmp_path / "export.mp3", volume_db=5.1, codec=["-c:a", "libmp3lame"])
    summary = ID3(audio)
    summary.add(COMM(encoding=3, lang="eng", desc="", text="A first summary."))
    summary.save()
    runner.invoke(
        cli,
        [
            "add",
            str(audio),
            "--root",
            str(show_dir),
            "--title",
            "A new conversation",
            "--published",
            "2026-02-01T06:00:00-06:00",
        ],
    )
    result = runner.invoke(cli, ["check", "--root", str(show_dir), "--strict"])
    assert result.exit_code == 0, result.output


# --- check ------------------------------------------------------------------------------------


def test_check_passes_the_shipped_show_strictly(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "--strict", "--root", str(catalog.default_root())])
    assert result.exit_code == 0, result.output
    assert "OK: 7 episodes" in result.output


def test_check_json_for_ci(runner: CliRunner, show_dir: Path) -> None:
    result = runner.invoke(cli, ["check", "--format", "json", "--root", str(show_dir)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["episodes"] == 7
    assert (report["errors"], report["warnings"], report["notices"]) == (0, 0, 1)
    (problem,) = report["problems"]
    assert problem == {
        "rule": "owner-email",
        "severity": "info",
        "path": str(show_dir / "show.yaml"),
        "line": 15,
        "message": "owner email podcast@example.org is a placeholder address",
        "hint": problem["hint"],
    }


def test_warnings_fail_only_with_strict(runner: CliRunner, show_dir: Path) -> None:
    path = show_dir / "season-1" / "01-why-we-call-it-an-emergency.yaml"
    path.write_text(
        path.read_text().replace(
            "title: Why we call it an emergency", "title: 'Episode 1: Why we call it an emergency'"
        )
    )
    result = runner.invoke(cli, ["check", "--root", str(show_dir)])
    assert result.exit_code == 0, result.output
    assert "01-why-we-call-it-an-emergency.yaml:1: warning [title-number]" in result.output
    assert "hint: remove it" in result.output
    result = runner.invoke(cli, ["check", "--root", str(show_dir), "--strict"])
    assert result.exit_code == 1
    assert "FAILED" in result.output


def test_check_reports_load_errors_in_the_same_format(runner: CliRunner, show_dir: Path) -> None:
    path = show_dir / "season-1" / "02-what-health-equity-means.yaml"
    path.write_text(
        path.read_text().replace(
            "guid: 80e91968-eed9-4242-8c0b-293c0f185053",
            "guid: 38b421c9-1a98-4e61-ac18-3ab2fd2431da",
        )
    )
    result = runner.invoke(cli, ["check", "--root", str(show_dir), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["episodes"] is None
    (problem,) = report["problems"]
    assert problem["rule"] == "catalog" and problem["severity"] == "error"
    assert problem["line"] == 6 and "duplicate guid" in problem["message"]
    result = runner.invoke(cli, ["check", "--root", str(show_dir)])
    assert "02-what-health-equity-means.yaml:6: error [catalog]: duplicate guid" in result.output


def test_check_against_the_published_feed(
    runner: CliRunner, show_dir: Path, tmp_path: Path
) -> None:
    published = tmp_path / "feed.xml"
    published.write_bytes(feed.build(catalog.load(show_dir), "https://old.example", NOW))
    result = runner.invoke(cli, ["check", "--root", str(show_dir), "--against", str(published)])
    assert result.exit_code == 0, result.output
    path = show_dir / "season-3" / "02-community-voices.yaml"
    path.write_text(path.read_text().replace("guid: ", "guid: x"))
    result = runner.invoke(cli, ["check", "--root", str(show_dir), "--against", str(published)])
    assert result.exit_code == 1
    assert "02-community-voices.yaml:6: error [guid-changed]" in result.output
    result = runner.invoke(
        cli, ["check", "--root", str(show_dir), "--against", str(tmp_path / "missing.xml")]
    )
    assert result.exit_code == 1 and "Error: cannot read the published feed" in result.output


# --- build ------------------------------------------------------------------------------------


def test_build_exports_the_site(runner: CliRunner, show_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = runner.invoke(
        cli,
        [
            "build",
            str(out),
            "--root",
            str(show_dir),
            "--base-url",
            "https://example.org/",
            "--media-base-url",
            "https://media.example",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Built {sum(1 for p in out.rglob('*') if p.is_file()) - 1} files" in result.output
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo and len(parsed.entries) == 7
    assert all(e.enclosures[0].href.startswith("https://media.example/") for e in parsed.entries)
    assert parsed.feed.link == "https://example.org/"


def test_build_needs_a_public_address(runner: CliRunner, show_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["build", str(tmp_path / "out"), "--root", str(show_dir)])
    assert result.exit_code == 2 and "--base-url" in result.output
    result = runner.invoke(
        cli, ["build", str(tmp_path / "out"), "--root", str(show_dir), "--base-url", "example.org"]
    )
    assert result.exit_code == 2 and "not an absolute http(s) URL" in result.output
    assert not (tmp_path / "out").exists()


def test_build_refuses_what_would_reach_listeners_broken(
    runner: CliRunner, show_dir: Path, tmp_path: Path
) -> None:
    Image.new("RGB", (600, 600)).save(show_dir / "artwork.jpg", "JPEG")
    result = runner.invoke(
        cli,
        [
            "build",
            str(tmp_path / "out"),
            "--root",
            str(show_dir),
            "--base-url",
            "https://example.org",
        ],
    )
    assert result.exit_code == 1
    assert "[artwork]" in result.output and "nothing was built" in result.output
    assert not (tmp_path / "out").exists()


# --- serve and the entry point ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


def test_serve_runs_the_site_on_the_given_folder(show_dir: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "podcast", "serve", "--root", str(show_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = b""
        for _ in range(300):  # up to ~30 s for the server to start on a busy machine
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/feed.xml", timeout=5) as r:
                    body = r.read()
                break
            except OSError:
                time.sleep(0.1)
        assert len(feedparser.parse(body).entries) == 7
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_user_errors_never_show_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "podcast",
            "build",
            str(tmp_path / "out"),
            "--root",
            str(tmp_path / "nowhere"),
            "--base-url",
            "https://example.org",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "the episodes folder does not exist" in result.stderr


def test_check_reports_a_broken_transcript_with_file_and_line(
    runner: CliRunner, show_dir: Path
) -> None:
    """A cue timing with two-digit milliseconds is not WebVTT: check must fail, not say OK."""
    transcript = next(show_dir.rglob("*.vtt"))
    transcript.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:03.93\nHello\n", "utf-8")
    code, output = invoke(runner, "check", "--root", show_dir)
    assert code == 1, output
    assert f"{transcript.name}:3: error [transcript-format]" in output
    assert "FAILED" in output


@pytest.mark.parametrize(
    "args",
    [["release", "1/1"], ["remove", "1/1"], ["tag", "--all"]],
    ids=["release", "remove", "tag"],
)
def test_writing_commands_never_fall_back_to_the_shipped_show(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Outside a project, `check` reads the shipped show; a command that writes must refuse."""
    shipped = catalog.default_root()
    before = sorted((p.relative_to(shipped), p.stat().st_mtime_ns) for p in shipped.rglob("*"))
    monkeypatch.chdir(tmp_path)  # no ./episodes here
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "no show.yaml in episodes" in result.output
    after = sorted((p.relative_to(shipped), p.stat().st_mtime_ns) for p in shipped.rglob("*"))
    assert after == before


def test_serve_on_a_port_in_use_says_to_use_another(runner: CliRunner, show_dir: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--root", str(show_dir), "--port", str(port)])
    assert result.exit_code == 1, result.output
    assert f"port {port} on 127.0.0.1 is in use" in result.output
    assert f"--port {port + 1}" in result.output and "Traceback" not in result.output


def test_build_leaves_the_producers_links_to_the_same_host_alone(
    runner: CliRunner, show_dir: Path, tmp_path: Path
) -> None:
    path = show_dir / "season-1" / "01-why-we-call-it-an-emergency.yaml"
    text = path.read_text("utf-8").replace(
        "notes: |\n", "notes: |\n  Read [about us](https://example.org/about/us) first.\n", 1
    )
    path.write_text(text, "utf-8")
    out = tmp_path / "site"
    code, output = invoke(
        runner, "build", out, "--root", show_dir, "--base-url", "https://example.org"
    )
    assert code == 0, output
    page = (out / "episodes" / "s1-01-why-we-call-it-an-emergency" / "index.html").read_text()
    assert 'href="https://example.org/about/us"' in page
    assert not (out / "about").exists()  # the producer's page, not the site's to export
