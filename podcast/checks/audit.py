"""The one entry to every pre-publish rule: what `podcast check` reports and `build` gates on."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from podcast.checks import loudness, rules
from podcast.errors import CatalogError, Problem, Severity
from podcast.model import Catalog

LOAD_RULE = "catalog"  # rule id for what the loader itself refuses or warns about
# Rules about the whole run of episodes: on a partial catalog they would blame a missing one.
WHOLE_SHOW_RULES = frozenset({"season-gap"})


def audit(
    catalog: Catalog,
    now: datetime,
    against: str | None = None,
    verify_remote: bool = False,
    all_loudness: bool = False,
) -> list[Problem]:
    """The loader's warnings, every rule, loudness (of what is new, or of every episode when
    asked), guid stability against an old feed (and, when asked, a HEAD request to each audio
    kept at another host), sorted."""
    found = [_as_load_problem(p) for p in catalog.warnings] + rules.run(catalog, now)
    found += loudness.check(catalog, now, all_loudness)
    if against:  # imported when asked: urllib and the feed reader cost a routine check 40 ms
        from podcast.checks import against as published

        found += published.compare(catalog, published.read(against), now)
    if verify_remote:
        from podcast.checks import remote

        found += remote.verify(catalog)
    return sorted(found, key=rules.sort_key)


def refused(error: CatalogError, now: datetime | None = None) -> list[Problem]:
    """What the loader refused, as findings of the `catalog` rule, and, given `now`, the rules'
    errors and warnings on the episodes that did load: one bad file hides no other problem.

    `--against` waits for a catalog that loads: the episodes left out would seem vanished.
    """
    found = [_as_load_problem(p) for p in error.problems]
    if now is not None and isinstance(error.loaded, Catalog):
        found += [p for p in rules.run(error.loaded, now) if _worth_saying_now(p)]
    return sorted(found, key=rules.sort_key)


def _worth_saying_now(problem: Problem) -> bool:
    """On a partial catalog: errors and warnings, not notices, and no whole-show rule."""
    return problem.severity is not Severity.INFO and problem.rule not in WHOLE_SHOW_RULES


def _as_load_problem(problem: Problem) -> Problem:
    return problem if problem.rule else dataclasses.replace(problem, rule=LOAD_RULE)
