"""What directories ask of the show itself: a category, and an owner email that arrives."""

from __future__ import annotations

import re
from collections.abc import Iterator

from podcast.checks.context import Context, problem
from podcast.errors import Problem, Severity

# Domains reserved for examples (RFC 2606, RFC 6761): mail sent there never arrives.
PLACEHOLDER_EMAIL = re.compile(
    r"@(([^@]+\.)?example\.(org|com|net)|[^@]+\.(example|test|invalid|localhost))$", re.I
)


def check_categories(context: Context) -> Iterator[Problem]:
    """Apple: at least one category (the loader checks each is in Apple's 2019 list)."""
    show = context.catalog.show
    if not show.categories:
        yield problem(
            "category",
            show,
            "categories",
            "the show has no category",
            "add e.g. 'categories: [\"Health & Fitness > Medicine\"]'",
        )


def check_owner(context: Context) -> Iterator[Problem]:
    """Spotify and Apple send ownership codes to the owner's email: it must be real."""
    show = context.catalog.show
    if PLACEHOLDER_EMAIL.search(show.owner.email):
        # A notice, not a warning: it changes nothing a listener or an app sees and matters
        # once, when the show is submitted to a directory; the shipped sample keeps it on purpose.
        yield Problem(
            show.source,
            show.lines.get("owner"),
            f"owner email {show.owner.email} is a placeholder address",
            "put the real address before submitting the feed to Apple or Spotify "
            "(they send the ownership code there)",
            Severity.INFO,
            "owner-email",
        )
