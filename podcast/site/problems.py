"""What the preview (`podcast serve`) tells the producer: every problem `podcast check` finds.

The dev server lists them in a banner on every page and logs them, once per catalog version:
what the last reload refused (the last good catalog is still served) and every rule's finding
on the catalog being served. Notices are left out; the public app never shows any of this.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from podcast.checks.audit import LOAD_RULE, audit, refused
from podcast.errors import CatalogError, Problem, Severity
from podcast.site.live import Snapshot

log = logging.getLogger(__name__)
SHOWN = (Severity.ERROR, Severity.WARNING)


class ProblemBoard:
    """The problems of the snapshot being served, found (and logged) once per version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0
        self._problems: tuple[Problem, ...] = ()

    def problems(self, snapshot: Snapshot, now: datetime) -> tuple[Problem, ...]:
        """Errors and warnings for `snapshot`: the refused reload's, then every rule's."""
        with self._lock:
            if snapshot.version != self._version:
                self._problems = _find(snapshot, now)
                self._version = snapshot.version
                for problem in self._problems:
                    if problem.rule != LOAD_RULE:  # the store logged the loader's own
                        log.warning("%s", problem)
            return self._problems


def _find(snapshot: Snapshot, now: datetime) -> tuple[Problem, ...]:
    found = refused(CatalogError(snapshot.refused)) + audit(snapshot.catalog, now)
    unique = dict.fromkeys(p for p in found if p.severity in SHOWN)  # the loader's warnings
    return tuple(unique)
