"""`podcast check` names every problem, whatever else is wrong and however the fault arrived."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3, TIT2

from podcast.cli import cli

EPISODE = "season-1/01-why-we-call-it-an-emergency"


def check(runner: CliRunner, root: Path) -> tuple[int, list[dict[str, Any]]]:
    """Run `podcast check --format json` on `root`: exit code and the problems."""
    result = runner.invoke(cli, ["check", "--root", str(root), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)["problems"]


def of_rule(problems: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [p for p in problems if p["rule"] == rule]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def extra_episode(show_dir: Path, name: str, audio: Path, **fields: object) -> Path:
    """Add `season-N/name.yaml` with audio copied from `audio` and the given fields."""
    values: dict[str, object] = {
        "title": "An extra episode",
        "season": 1,
        "published": "2022-03-01T06:00:00-06:00",
        "guid": f"extra-{name}",
        "summary": "A summary.",
        **fields,
    }
    folder = show_dir / f"season-{values['season']}"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(audio, folder / f"{name}{audio.suffix}")
    text = "".join(f"{key}: {json.dumps(value)}\n" for key, value in values.items())
    path = folder / f"{name}.yaml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    "title",
    [
        "Épisode 4 : la confiance",
        "Folge 4: Vertrauen",
        "Episodio 4 - La confianza",
        "Aflevering 4: Vertrouwen",
        "Season 3 opener",
        "Temporada 2, la confianza",
        "第4話 信頼",
    ],
)
def test_a_number_in_the_title_is_found_in_any_language(
    runner: CliRunner, show_dir: Path, title: str
) -> None:
    edit(
        show_dir / f"{EPISODE}.yaml",
        "title: Why we call it an emergency",
        f"title: {json.dumps(title)}",
    )
    code, problems = check(runner, show_dir)
    (found,) = of_rule(problems, "title-number")
    assert code == 0 and found["severity"] == "warning" and found["line"] == 1


def test_a_season_missing_from_show_yaml_and_a_gap_are_warned(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    path = extra_episode(show_dir, "01-far-ahead", data_dir / "cbr.mp3", season=9, episode=1)
    code, problems = check(runner, show_dir)
    (unnamed,) = of_rule(problems, "season-unnamed")
    (gap,) = of_rule(problems, "season-gap")
    assert unnamed["path"] == gap["path"] == str(path)
    assert "season 9" in unnamed["message"] and "4–8" in gap["message"]
    assert code == 0  # warnings: the producer may mean it


def test_episode_numbers_out_of_publication_order_are_warned(
    runner: CliRunner, show_dir: Path
) -> None:
    path = show_dir / "season-1/02-what-health-equity-means.yaml"
    text = re.sub(r"(?m)^published: .*$", "published: 2020-01-01T06:00:00-06:00", path.read_text())
    path.write_text(text, "utf-8")
    _, problems = check(runner, show_dir)
    (found,) = of_rule(problems, "number-order")
    assert found["path"] == str(show_dir / f"{EPISODE}.yaml")
    assert "episode 1 of season 1" in found["message"]


def test_duplicate_titles_and_duplicate_audio_are_warned(runner: CliRunner, show_dir: Path) -> None:
    original = show_dir / f"{EPISODE}.mp3"
    path = extra_episode(
        show_dir, "09-again", original, title="Why we call it an emergency", episode=9
    )
    _, problems = check(runner, show_dir)
    (title,) = of_rule(problems, "duplicate-title")
    (audio,) = of_rule(problems, "duplicate-audio")
    assert title["path"] == audio["path"] == str(path)
    assert original.name in audio["message"] and f"{Path(EPISODE).name}.yaml" in audio["message"]


@pytest.mark.skipif(
    shutil.which("strace") is None and not os.environ.get("CI"),
    reason="strace is not installed (.ci/apt-packages.txt)",
)
def test_a_check_of_an_unchanged_show_finds_the_same_audio_without_opening_it(
    runner: CliRunner, show_dir: Path, tmp_path: Path
) -> None:
    """The probe cache keeps each MP3's frame digest: the shipped show's same-length MP3s and a
    copy retagged under another name are compared without reading any of them again."""
    original = show_dir / f"{EPISODE}.mp3"
    path = extra_episode(show_dir, "09-again", original, title="Another title", episode=9)
    tags = ID3(path.with_suffix(".mp3"))
    tags.setall("TIT2", [TIT2(encoding=3, text=["Another title"])])
    tags.save(v2_version=4)  # not the same bytes: only the frames say it is the same audio
    check(runner, show_dir)  # fills the caches
    trace = tmp_path / "openat.txt"
    done = subprocess.run(
        ["strace", "-f", "-qq", "-o", str(trace), "-e", "trace=open,openat"]
        + [sys.executable, "-m", "podcast", "check", "--root", str(show_dir), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    (audio,) = of_rule(json.loads(done.stdout)["problems"], "duplicate-audio")
    assert audio["path"] == str(path) and original.name in audio["message"]
    opened = [line for line in trace.read_text().splitlines() if ".mp3" in line]
    assert opened == []


def test_required_text_that_is_only_whitespace_is_an_error(
    runner: CliRunner, show_dir: Path
) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "title: Why we call it an emergency", 'title: "   "')
    edit(show_dir / "show.yaml", "email: podcast@example.org", 'email: ""')
    code, problems = check(runner, show_dir)
    empty = {(Path(p["path"]).name, p["message"]) for p in problems if p["severity"] == "error"}
    assert (f"{Path(EPISODE).name}.yaml", "'title' is empty") in empty
    assert ("show.yaml", "'email' is empty") in empty
    assert code == 1


def test_add_refuses_audio_that_is_already_an_episode(
    runner: CliRunner, show_dir: Path, tmp_path: Path
) -> None:
    existing = show_dir / f"{EPISODE}.mp3"
    copy = tmp_path / "final-export.mp3"
    shutil.copyfile(existing, copy)
    before = sorted(p.name for p in show_dir.rglob("*"))
    result = runner.invoke(cli, ["add", str(copy), "--root", str(show_dir), "--title", "New"])
    assert result.exit_code == 1, result.output
    assert f"{EPISODE}.yaml has the same audio" in result.output
    assert "nothing was changed" in result.output
    assert sorted(p.name for p in show_dir.rglob("*")) == before


def test_a_title_taken_from_the_file_name_is_warned_until_written(
    runner: CliRunner, show_dir: Path, data_dir: Path, tmp_path: Path
) -> None:
    untagged = tmp_path / "trust-final.mp3"
    shutil.copyfile(data_dir / "vbr-xing.mp3", untagged)  # no tags at all
    args = ["add", str(untagged), "--root", str(show_dir), "--season", "3"]
    result = runner.invoke(cli, [*args, "--published", "2026-02-01T06:00:00-06:00"])
    assert result.exit_code == 0, result.output
    path = show_dir / "season-3" / "03-trust-final.yaml"
    _, problems = check(runner, show_dir)
    (found,) = of_rule(problems, "title-from-file-name")
    assert (found["path"], found["line"], found["severity"]) == (str(path), 1, "warning")
    assert "'Trust final'" in found["message"]
    lines = path.read_text("utf-8").splitlines()
    path.write_text("\n".join(['title: "Trust, in the end"', *lines[1:]]) + "\n", "utf-8")
    _, problems = check(runner, show_dir)
    assert of_rule(problems, "title-from-file-name") == []


def test_a_file_that_fails_to_load_hides_no_other_problem(
    runner: CliRunner, show_dir: Path
) -> None:
    (show_dir / "season-2" / "01-access-to-care.m4a").unlink()  # an error: no audio
    broken = show_dir / "season-2" / "02-social-drivers-of-health.yaml"
    broken.write_text(broken.read_text("utf-8") + "  bad: [indent\n", "utf-8")  # a syntax error
    edit(show_dir / f"{EPISODE}.yaml", "title: Why we call it an emergency", "title: Folge 1")
    code, problems = check(runner, show_dir)
    errors = {Path(p["path"]).name for p in problems if p["severity"] == "error"}
    assert errors == {"01-access-to-care.yaml", "02-social-drivers-of-health.yaml"}
    (numbered,) = of_rule(problems, "title-number")
    assert numbered["path"] == str(show_dir / f"{EPISODE}.yaml")
    assert of_rule(problems, "season-gap") == []  # season 2 is there, only broken
    assert code == 1


def test_a_wav_renamed_mp3_is_an_error_in_check_as_in_add(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    renamed = data_dir / "wav-renamed.mp3"
    result = runner.invoke(cli, ["add", str(renamed), "--root", str(show_dir)])
    assert result.exit_code == 1 and "audio/wav" in result.output  # add refuses it
    path = extra_episode(show_dir, "09-renamed", renamed, episode=9)
    code, problems = check(runner, show_dir)
    (found,) = [p for p in problems if "but named '.mp3'" in p["message"]]
    assert found["severity"] == "error" and found["path"] == str(path.with_suffix(".mp3"))
    assert code == 1


def test_a_dead_link_to_a_page_of_the_site_is_warned_at_its_line(
    runner: CliRunner, show_dir: Path
) -> None:
    edit(show_dir / "show.yaml", "base_url: null", "base_url: https://example.org")
    base = "https://example.org"
    links = (
        f"  See [the next one]({base}/episodes/s1-02-what-health-equity-means/),\n"
        f"  [a typo]({base}/episodes/s1-02-what-health-equity/#chapters),\n"
        f"  [its chapters]({base}/episodes/s1-02-what-health-equity-means/chapters.json)\n"
        f"  and [about us]({base}/about/us).\n"
    )
    path = show_dir / f"{EPISODE}.yaml"
    edit(path, "notes: |\n", "notes: |\n" + links)
    _, problems = check(runner, show_dir)
    (found,) = of_rule(problems, "notes-link")
    typo_line = path.read_text("utf-8").splitlines().index(links.splitlines()[1]) + 1
    assert (found["path"], found["line"]) == (str(path), typo_line)
    assert "/episodes/s1-02-what-health-equity/" in found["message"]
