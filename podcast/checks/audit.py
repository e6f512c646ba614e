"""The one entry to every pre-publish rule: what `podcast check` reports and `build` gates on."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from podcast.checks import against as published
from podcast.checks import loudness, remote, rules
from podcast.errors import CatalogError, Problem
from podcast.model import Catalog

LOAD_RULE = "catalog"  # rule id for what the loader itself refuses or warns about


def audit(
    catalog: Catalog, now: datetime, against: str | None = None, verify_remote: bool = False
) -> list[Problem]:
    """The loader's warnings, every rule, loudness, guid stability against an old feed (and,
    when asked, a HEAD request to each audio kept at another host), sorted."""
    found = [_as_load_problem(p) for p in catalog.warnings] + rules.run(catalog, now)
    found += loudness.check(catalog)
    if against:
        found += published.compare(catalog, published.read(against), now)
    if verify_remote:
        found += remote.verify(catalog)
    return sorted(found, key=rules.sort_key)


def refused(error: CatalogError) -> list[Problem]:
    """What the loader refused, as findings of the `catalog` rule, sorted like the others."""
    return sorted((_as_load_problem(p) for p in error.problems), key=rules.sort_key)


def _as_load_problem(problem: Problem) -> Problem:
    return problem if problem.rule else dataclasses.replace(problem, rule=LOAD_RULE)
