"""Masters (WAV, AIFF, FLAC) are encoded on their way in with --encode, else refused with a fix."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from support.audio import tone
from support.scratch import DATA, Scratch, run_cli, snapshot

from podcast.read import audio as audio_module
from podcast.read import catalog as catalog_module


def scratch(tmp_path: Path) -> Scratch:
    return Scratch.create(tmp_path / "show")


def add(show: Scratch, source: Path, *options: str) -> tuple[int, str]:
    result = run_cli("add", str(source), "--root", str(show.root), "--title", "Master", *options)
    return result.exit_code, result.output


@pytest.mark.parametrize("name", ["voice.wav", "voice.flac"])
def test_a_master_without_encode_is_refused_with_the_command_to_run(
    tmp_path: Path, name: str
) -> None:
    show = scratch(tmp_path)
    before = snapshot(show.root)
    code, output = add(show, DATA / name)
    assert code == 1 and "which podcast apps do not play" in output
    command = shlex.join(["podcast", "add", str(DATA / name), "--root", str(show.root.absolute())])
    assert f"{command} --encode mp3" in output
    assert snapshot(show.root) == before


def test_wav_is_encoded_as_spoken_word_mp3_tagged_and_listed(tmp_path: Path) -> None:
    show = scratch(tmp_path)
    code, output = add(show, DATA / "voice.wav", "--encode", "mp3")
    assert code == 0, output
    path = show.path("season-1/02-master.mp3")
    audio = audio_module.probe(path)
    assert (audio.mime, audio.sample_rate, audio.channels) == ("audio/mpeg", 44100, 1)
    assert round(audio.bitrate, -3) == 96_000  # mutagen reports CBR 96k as 95999
    assert abs(audio.duration.total_seconds() - 3.09) < 0.1
    assert ID3(path)["TIT2"].text == ["Master"]
    assert catalog_module.load(show.root).find("s1-02-master") is not None
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []
    assert (DATA / "voice.wav").is_file()  # the master stays where it was
    assert "encoding voice.wav (audio/wav) as mp3; the master is kept" in output


def test_flac_is_encoded_as_aac_lc_in_m4a(tmp_path: Path) -> None:
    show = scratch(tmp_path)
    code, output = add(show, DATA / "voice.flac", "--encode", "aac")
    assert code == 0, output
    parsed = MP4(show.path("season-1/02-master.m4a"))
    assert parsed.info.codec == "mp4a.40.2"  # AAC-LC
    assert parsed.info.sample_rate == 44100
    # the MP4 sample entry always says 2 channels for AAC; the stream itself is what plays
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=channels", "-of", "csv=p=0"]
        + [str(show.path("season-1/02-master.m4a"))],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probed.stdout.split() == ["1"]
    assert parsed.tags is not None and parsed.tags["\xa9nam"] == ["Master"]


def test_a_stereo_aiff_becomes_128k_stereo_mp3(tmp_path: Path) -> None:
    show = scratch(tmp_path)
    master = tone(tmp_path / "master.aiff", seconds=2, codec=["-ac", "2"])
    code, output = add(show, master, "--encode", "mp3")
    assert code == 0, output
    audio = audio_module.probe(show.path("season-1/02-master.mp3"))
    assert (audio.channels, round(audio.bitrate, -3)) == (2, 128_000)


def test_the_same_master_always_encodes_to_the_same_bytes(tmp_path: Path) -> None:
    first, second = scratch(tmp_path / "a"), scratch(tmp_path / "b")
    assert add(first, DATA / "voice.wav", "--encode", "mp3")[0] == 0
    assert add(second, DATA / "voice.wav", "--encode", "mp3")[0] == 0
    encoded = "season-1/02-master.mp3"
    assert first.path(encoded).read_bytes() == second.path(encoded).read_bytes()


def test_encode_is_ignored_for_audio_apps_already_play(tmp_path: Path) -> None:
    show = scratch(tmp_path)
    code, output = add(show, DATA / "vbr-xing.mp3", "--encode", "aac")
    assert code == 0, output
    assert "it was not encoded again" in output
    assert show.path("season-1/02-master.mp3").is_file()


def test_move_with_encode_is_refused_so_the_master_survives(tmp_path: Path) -> None:
    show = scratch(tmp_path)
    master = tone(tmp_path / "master.wav", seconds=1)
    before = snapshot(show.root)
    code, output = add(show, master, "--encode", "mp3", "--move")
    assert code == 1 and "would delete the master" in output
    assert master.is_file() and snapshot(show.root) == before


def test_without_ffmpeg_encoding_fails_cleanly_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = scratch(tmp_path)
    before = snapshot(show.root)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, output = add(show, DATA / "voice.wav", "--encode", "mp3")
    assert code == 1 and "ffmpeg, which is not installed" in output
    assert "Traceback" not in output
    assert snapshot(show.root) == before


def test_the_shows_encode_default_applies_without_the_option(tmp_path: Path) -> None:
    show = scratch(tmp_path)
    show.show(encode="aac")
    code, output = add(show, DATA / "voice.wav")
    assert code == 0, output
    assert MP4(show.path("season-1/02-master.m4a")).tags is not None


def test_a_wrong_encode_default_is_an_error_naming_show_yaml(tmp_path: Path) -> None:
    show = scratch(tmp_path)
    show.show(encode="ogg")
    result = run_cli("check", "--root", str(show.root))
    assert result.exit_code == 1
    assert "show.yaml:" in result.output and "'encode' is 'ogg'" in result.output
    assert "write mp3 or aac" in result.output
