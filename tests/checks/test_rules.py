"""The pre-publish rules as one list: the shipped show passes them all, and every finding
has a rule, a place and a hint, placed by the lines kept from loading."""

from __future__ import annotations

from pathlib import Path

from support.checking import EPISODE, edit, rules, run
from support.clock import NOW

from podcast.checks import rules as checks
from podcast.errors import Severity
from podcast.read import catalog


def test_the_shipped_show_passes_strictly() -> None:
    problems = run(catalog.default_root())
    assert [p for p in problems if p.severity is not Severity.INFO] == []
    assert [p.rule for p in problems] == ["owner-email"]  # a notice: the sample's placeholder


def test_every_problem_has_a_rule_location_and_hint(show_dir: Path) -> None:
    edit(
        show_dir / f"{EPISODE}.yaml",
        "title: Why we call it an emergency",
        "title: Episode 1 - Why we call it an emergency",
    )
    (problem,) = [p for p in run(show_dir) if p.rule == "title-number"]
    assert problem.path == show_dir / f"{EPISODE}.yaml"
    assert problem.line == 1
    assert problem.severity is Severity.WARNING
    assert "Episode 1" in problem.message and problem.hint


def test_finding_lines_come_from_loading_not_a_second_read(show_dir: Path) -> None:
    path = show_dir / f"{EPISODE}.yaml"
    edit(path, "summary: The hosts", f"summary: {'é' * 2001} The hosts")
    loaded = catalog.load(show_dir)
    path.write_text("# shifted\n" * 5 + path.read_text("utf-8"), "utf-8")  # after loading
    (problem,) = rules(checks.run(loaded, NOW))["description-length"]
    assert problem.line == 7  # the line it had when loaded; a re-read would say 12


def test_a_yml_episode_gets_lines_too(show_dir: Path) -> None:
    path = show_dir / f"{EPISODE}.yaml"
    edit(path, "summary: The hosts", f"summary: {'é' * 2001} The hosts")
    path.rename(path.with_suffix(".yml"))
    (problem,) = rules(run(show_dir))["description-length"]
    assert problem.path == path.with_suffix(".yml") and problem.line == 7
