"""The loudness rule measures real audio with ffmpeg's ebur128 and caches what it measured."""

from __future__ import annotations

import math
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from support.audio import tone
from support.clock import NOW
from support.scratch import DATA, Scratch, run_cli, snapshot

from podcast.checks import loudness
from podcast.checks.audit import audit
from podcast.errors import Severity
from podcast.read import catalog as catalog_module

ON_TARGET_DB = 5.1  # a 1 kHz sine at ffmpeg's default amplitude is -21.1 LUFS; this makes -16
GUID_2, GUID_3 = "22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333"
MP3 = ["-c:a", "libmp3lame", "-b:a", "128k"]


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's cache directory, here a fresh one per test."""
    folder = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def show_with_tone(tmp_path: Path, volume_db: float) -> Scratch:
    scratch = Scratch.create(tmp_path / "show")
    tone(scratch.path("season-1/01-first.mp3"), volume_db=volume_db, codec=MP3)
    return scratch


def found(root: Path) -> list[loudness.Problem]:
    """What `podcast check --loudness` says about loudness: every episode measured."""
    return loudness.check(catalog_module.load(root), NOW, everything=True)


def without_ffmpeg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH on which no ffmpeg can be found, as on a machine without it."""
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))


def test_measure_reads_the_integrated_loudness_and_true_peak_of_a_known_tone(
    tmp_path: Path,
) -> None:
    on_target = loudness.measure(tone(tmp_path / "on.wav", volume_db=ON_TARGET_DB))
    quiet = loudness.measure(tone(tmp_path / "quiet.wav", volume_db=-5))
    assert on_target.integrated == pytest.approx(-16.0, abs=0.2)
    assert quiet.integrated == pytest.approx(-26.1, abs=0.2)
    # a sine's peak is 3 dB above its mean square; true peak adds nothing for a pure tone
    assert on_target.true_peak == pytest.approx(-12.9, abs=0.3)


@pytest.mark.parametrize(
    "name", ["cbr.mp3", "tagged.m4a", "voice.ogg", "voice.opus", "voice.flac", "voice.wav"]
)
def test_every_format_the_catalog_accepts_is_measured(name: str) -> None:
    level = loudness.measure(DATA / name)
    assert -70 <= level.integrated < 0 and math.isfinite(level.true_peak)


def test_a_quiet_episode_is_warned_with_its_file_values_and_the_fix(tmp_path: Path) -> None:
    scratch = show_with_tone(tmp_path, volume_db=-5)
    (problem,) = found(scratch.root)
    assert problem.severity is Severity.WARNING and problem.rule == "loudness"
    assert problem.path == scratch.path("season-1/01-first.mp3").absolute()
    assert "integrated loudness is -26." in problem.message and "-16 LUFS ±1 dB" in problem.message
    assert "ffmpeg -i 01-first.mp3 -af loudnorm=I=-16:TP=-1.5" in problem.hint


def test_an_episode_on_target_passes(tmp_path: Path) -> None:
    assert found(show_with_tone(tmp_path, volume_db=ON_TARGET_DB).root) == []


def test_a_true_peak_above_minus_one_is_warned(tmp_path: Path) -> None:
    scratch = Scratch.create(tmp_path / "show")
    # -16 LUFS of 1 kHz with a 10 ms burst at nearly full scale every second
    burst = "aevalsrc=0.2*sin(2*PI*1000*t)*(1+3.9*lt(mod(t\\,1)\\,0.01)):s=44100:d=3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", burst, *MP3]
        + [str(scratch.path("season-1/01-first.mp3"))],
        check=True,
    )
    (problem,) = found(scratch.root)
    assert problem.message.startswith("true peak is ") and "dBTP" in problem.message


def test_check_reports_it_and_the_warm_run_answers_from_the_users_cache(
    tmp_path: Path, user_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = show_with_tone(tmp_path, volume_db=-5)
    before = snapshot(scratch.root)
    result = run_cli("check", "--loudness", "--root", str(scratch.root))
    assert result.exit_code == 0, result.output
    assert "warning [loudness]: integrated loudness is -26." in result.stdout
    assert snapshot(scratch.root) == before  # nothing written into the episodes folder
    assert list(user_cache.rglob(loudness.CACHE_FILE))
    without_ffmpeg(monkeypatch, tmp_path)  # a cache hit needs no ffmpeg at all
    assert [p.message for p in found(scratch.root)] == [
        p.message for p in audit(catalog_module.load(scratch.root), NOW) if p.rule == "loudness"
    ]
    assert "integrated loudness is -26." in found(scratch.root)[0].message


def test_a_changed_file_is_measured_again(tmp_path: Path) -> None:
    scratch = show_with_tone(tmp_path, volume_db=-5)
    assert len(found(scratch.root)) == 1
    tone(scratch.path("season-1/01-first.mp3"), volume_db=ON_TARGET_DB, codec=MP3)
    os.utime(scratch.path("season-1/01-first.mp3"), ns=(1, 1))  # a different mtime, surely
    assert found(scratch.root) == []


def test_without_ffmpeg_check_gives_one_notice_and_no_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = show_with_tone(tmp_path, volume_db=-5)
    scratch.audio("season-1/02-second.mp3")
    scratch.episode(
        "season-1/02-second.yaml", episode=2, guid="22222222-2222-4222-8222-222222222222"
    )
    without_ffmpeg(monkeypatch, tmp_path)
    result = run_cli("check", "--loudness", "--root", str(scratch.root))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "[loudness]" in line]
    assert lines == [
        "<catalog>: info [loudness]: loudness not measured for 2 episode(s): "
        "ffmpeg is not installed"
    ]


def test_a_routine_check_measures_only_new_episodes_and_counts_the_rest(tmp_path: Path) -> None:
    """Drafts, scheduled and just-released episodes are measured; the back catalog waits for
    `--loudness`, with one notice saying how much audio that is."""
    scratch = show_with_tone(tmp_path, volume_db=-5)  # published 2024: the back catalog
    tone(scratch.path("season-1/02-draft.mp3"), volume_db=-5, codec=MP3)
    scratch.episode("season-1/02-draft.yaml", episode=2, draft=True, guid=GUID_2)
    tone(scratch.path("season-1/03-new.mp3"), volume_db=-5, codec=MP3)
    just_now = (NOW - timedelta(days=2)).isoformat()
    scratch.episode("season-1/03-new.yaml", episode=3, published=just_now, guid=GUID_3)
    catalog = catalog_module.load(scratch.root)
    routine = loudness.check(catalog, NOW, budget=timedelta(0))  # a back catalog too long
    judged = sorted(p.path.name for p in routine if p.path)
    assert judged == ["02-draft.mp3", "03-new.mp3"]
    [notice] = [p for p in routine if p.path is None]
    assert notice.severity is Severity.INFO
    assert "loudness not measured for 1 published episode(s) (0.0 h of audio)" in notice.message
    assert "podcast check --loudness" in notice.hint
    assert len(loudness.check(catalog, NOW, everything=True, budget=timedelta(0))) == 3
    assert len(loudness.check(catalog, NOW, budget=timedelta(0))) == 3  # judged from the cache


def test_a_short_back_catalog_is_measured_unasked(tmp_path: Path) -> None:
    """Under a few minutes of audio, measuring it all costs less than the notice is worth."""
    scratch = show_with_tone(tmp_path, volume_db=-5)  # published 2024, a few seconds long
    [warning] = loudness.check(catalog_module.load(scratch.root), NOW)
    assert "integrated loudness is -26." in warning.message


@pytest.mark.slow
def test_check_loudness_on_the_command_line_measures_the_back_catalog(tmp_path: Path) -> None:
    scratch = Scratch.create(tmp_path / "show")
    long_codec = ["-c:a", "libmp3lame", "-b:a", "8k", "-ac", "1", "-ar", "8000"]
    seconds = int(loudness.BUDGET.total_seconds()) + 60  # just over what is measured unasked
    tone(scratch.path("season-1/01-first.mp3"), seconds=seconds, volume_db=-5, codec=long_codec)
    routine = run_cli("check", "--root", str(scratch.root))
    assert "info [loudness]: loudness not measured for 1 published episode(s)" in routine.stdout
    assert "integrated loudness" not in routine.stdout
    everything = run_cli("check", "--loudness", "--root", str(scratch.root))
    assert "warning [loudness]: integrated loudness is -2" in everything.stdout
    again = run_cli("check", "--root", str(scratch.root))
    assert "warning [loudness]: integrated loudness is -2" in again.stdout
    assert "not measured" not in again.stdout
