"""The media files: non-ASCII names, formats and rates apps play poorly, enclosures too large."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.checking import add_episode, episode_yaml, rules, run

from podcast.errors import Severity
from podcast.read import catalog

# A real MPEG-2 Layer III frame of silence: 8 kbit/s, 22050 Hz, mono (26 bytes).
LOW_RATE_FRAME = bytes([0xFF, 0xF3, 0x10, 0xC0]) + bytes(22)


def test_non_ascii_file_names(show_dir: Path, data_dir: Path) -> None:
    shutil.copyfile(data_dir / "cbr.mp3", show_dir / "season-1" / "café.mp3")
    add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml(extra="audio: café.mp3\n"))
    (show_dir / "season-1" / "09-extra.mp3").unlink()
    (problem,) = rules(run(show_dir))["file-name-ascii"]
    assert "season-1/café.mp3" in problem.message and problem.line == 7


def test_the_episodes_folders_own_name_is_not_in_any_url(
    show_dir: Path, data_dir: Path, tmp_path: Path
) -> None:
    moved = tmp_path / "Émissions de santé"
    shutil.copytree(show_dir, moved)
    assert "file-name-ascii" not in rules(run(moved))
    shutil.copyfile(data_dir / "cbr.mp3", moved / "season-1" / "née.mp3")
    add_episode(moved, data_dir, "cbr.mp3", episode_yaml(extra="audio: née.mp3\n"))
    (moved / "season-1" / "09-extra.mp3").unlink()
    (problem,) = rules(run(moved))["file-name-ascii"]
    assert "'season-1/née.mp3'" in problem.message  # named from the folder, not from /


def test_formats_apps_play_poorly(show_dir: Path, data_dir: Path) -> None:
    add_episode(show_dir, data_dir, "voice.opus", episode_yaml())
    (problem,) = rules(run(show_dir))["audio-format"]
    assert "audio/ogg" in problem.message and problem.severity is Severity.WARNING


def test_unusual_bit_and_sample_rates(show_dir: Path) -> None:
    (show_dir / "season-1" / "09-extra.mp3").write_bytes(LOW_RATE_FRAME * 300)
    (show_dir / "season-1" / "09-extra.yaml").write_text(episode_yaml(), "utf-8")
    found = rules(run(show_dir))
    assert "8 kbit/s" in found["audio-bitrate"][0].message
    assert "22050 Hz" in found["audio-sample-rate"][0].message


def test_enclosures_over_200_mb(show_dir: Path, data_dir: Path) -> None:
    add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml())
    with (show_dir / "season-1" / "09-extra.mp3").open("r+b") as handle:
        handle.truncate(201_000_000)  # sparse: real MP3 frames, then zeros
    (problem,) = rules(run(show_dir))["audio-size"]
    assert "201 MB" in problem.message


def test_vbr_without_header_is_reported_by_the_loader(show_dir: Path, data_dir: Path) -> None:
    add_episode(show_dir, data_dir, "vbr-noxing.mp3", episode_yaml())
    (warning,) = catalog.load(show_dir).warnings
    assert "Xing" in warning.message and warning.severity is Severity.WARNING
