"""Problems found in a catalog and the exceptions that carry them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """How bad a problem is: errors stop a load, warnings do not, notices only inform."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # e.g. a draft's go-live time: worth saying, never a reason to fail


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file, where it is, and how to fix it."""

    path: Path | None
    line: int | None
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    rule: str = ""

    @property
    def location(self) -> str:
        """`path:line` (or just the path) for messages."""
        if self.path is None:
            return "<catalog>"
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity.value}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class PodcastError(Exception):
    """Base of every error a user can cause and fix."""


class AudioError(PodcastError):
    """An audio file that cannot be read as audio."""

    def __init__(self, path: Path, message: str, hint: str = "") -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
        self.hint = hint


class CatalogError(PodcastError):
    """A catalog that cannot be loaded; carries every problem found."""

    def __init__(self, problems: Iterable[Problem], loaded: object = None) -> None:
        self.problems = tuple(problems)
        # the Catalog of what did load (read.catalog sets it), so `check` runs every rule on it
        self.loaded = loaded
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(errors)} error(s) in the catalog:\n{lines}")
