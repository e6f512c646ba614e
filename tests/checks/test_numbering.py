"""Episode numbers: a serial show numbers every full episode."""

from __future__ import annotations

from pathlib import Path

from support.checking import add_episode, edit, episode_yaml, rules, run


def test_serial_shows_number_every_full_episode(show_dir: Path, data_dir: Path) -> None:
    edit(show_dir / "show.yaml", "type: episodic", "type: serial")
    add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml().replace("episode: 9\n", ""))
    (problem,) = rules(run(show_dir))["serial-number"]
    assert problem.path.name == "09-extra.yaml"  # the unnumbered trailer is fine
