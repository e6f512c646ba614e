"""Episodes not out yet: drafts, and those scheduled, with when each goes live."""

from __future__ import annotations

from collections.abc import Iterator

from podcast.checks.context import Context, problem
from podcast.errors import Problem, Severity
from podcast.read.when import shown


def check_schedule(context: Context) -> Iterator[Problem]:
    """List drafts, and the scheduled episodes with when each goes live (in the show's zone)."""
    for episode in context.catalog.drafts(context.now):
        if episode.draft:
            key, message = "draft", f"draft '{episode.title}' is not released"
            hint = (
                f"preview it with `podcast serve --drafts`; then `podcast release {episode.slug}`"
            )
        else:
            when = episode.published.isoformat(sep=" ")
            local = shown(episode.published, context.catalog.show.timezone)
            key, message = "published", f"'{episode.title}' goes live at {when} ({local})"
            hint = "preview it with `podcast serve --drafts`"
        yield problem("schedule", episode, key, message, hint, Severity.INFO)
