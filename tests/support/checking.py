"""The pre-publish rules run on a scratch copy of the shipped show, and the edits tests make."""

from __future__ import annotations

import shutil
from pathlib import Path

from podcast.checks import rules as checks
from podcast.errors import Problem
from podcast.read import catalog
from support.clock import NOW

EPISODE = "season-1/01-why-we-call-it-an-emergency"


def run(root: Path) -> list[Problem]:
    """Every rule's findings on the show at `root`, at the test clock's time."""
    return checks.run(catalog.load(root), NOW)


def rules(problems: list[Problem]) -> dict[str, list[Problem]]:
    """The findings grouped by rule id, in order."""
    found: dict[str, list[Problem]] = {}
    for problem in problems:
        found.setdefault(problem.rule, []).append(problem)
    return found


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in the file with `new` (which must be there)."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def episode_yaml(title: str = "A fine title", extra: str = "") -> str:
    """An extra episode's YAML (season 1, episode 9), with `extra` keys at its end."""
    return (
        f"title: {title}\nseason: 1\nepisode: 9\npublished: 2022-03-01T06:00:00-06:00\n"
        f"guid: 0d7f3bd2-3a51-4c39-8d8a-5d2b1c6f2a01\nsummary: A summary.\n{extra}"
    )


def add_episode(
    show_dir: Path, data_dir: Path, audio: str, yaml_text: str, name: str = "09-extra"
) -> Path:
    """Add `season-1/NAME.yaml` with `yaml_text` and a copy of the test file `audio`."""
    shutil.copyfile(data_dir / audio, show_dir / "season-1" / f"{name}{Path(audio).suffix}")
    path = show_dir / "season-1" / f"{name}.yaml"
    path.write_text(yaml_text, "utf-8")
    return path
