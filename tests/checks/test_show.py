"""The show itself: a category, and an owner email that arrives."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.checking import edit, rules, run

from podcast.errors import Severity


def test_a_show_without_categories(show_dir: Path) -> None:
    edit(
        show_dir / "show.yaml",
        'categories: ["Health & Fitness > Medicine", "Society & Culture"]',
        "categories: []",
    )
    (problem,) = rules(run(show_dir))["category"]
    assert problem.severity is Severity.ERROR and problem.line == 17


def test_a_real_owner_email_is_not_flagged(show_dir: Path) -> None:
    edit(show_dir / "show.yaml", "podcast@example.org", "podcast@healthpartners.com")
    assert "owner-email" not in rules(run(show_dir))


@pytest.mark.parametrize(
    "email", ["a@example.com", "a@mail.example.net", "a@host.test", "a@show.invalid"]
)
def test_placeholder_owner_emails(show_dir: Path, email: str) -> None:
    edit(show_dir / "show.yaml", "podcast@example.org", email)
    (problem,) = rules(run(show_dir))["owner-email"]
    assert problem.severity is Severity.INFO
