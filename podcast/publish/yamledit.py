"""Change one top-level key of a producer's YAML file in place, keeping every other byte.

Re-dumping the file would lose the producer's comments, quoting and key order; instead the
value's own characters are replaced (a comment after it stays), a missing key gets one new
line, and a removed key loses its line. The result is parsed again before it is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from podcast.errors import PodcastError, Problem, Severity
from podcast.files import write_atomic
from podcast.read.yamlfile import Fields, read_mapping

Change = str | None  # the value's new YAML text, or None to remove the key's line


class EditError(PodcastError):
    """The file cannot be edited line by line; nothing was written."""


def edit_keys(path: Path, changes: Mapping[str, Change], after: str | None = None) -> None:
    """Apply `changes` to `path` atomically; a new key goes after `after`'s line (else last)."""
    text = path.read_text("utf-8")
    write_atomic(path, edited(path, text, changes, after).encode("utf-8"))


def edited(path: Path, text: str, changes: Mapping[str, Change], after: str | None) -> str:
    """`text` with `changes` applied; EditError if a value spans lines or the result breaks."""
    fields = _fields(path)
    lines = text.splitlines(keepends=True)
    present = sorted((k for k in changes if k in fields.nodes), key=lambda k: -_line(fields, k))
    for key in present:
        _replace(path, fields, lines, key, changes[key])
    missing = [
        f"{key}: {value}\n"
        for key, value in changes.items()
        if key not in fields.nodes and value is not None
    ]
    if missing:
        where = _end_line(fields, after) + 1 if after in fields.nodes else len(lines)
        if lines and not lines[-1].endswith("\n") and where == len(lines):
            lines[-1] += "\n"
        lines[where:where] = missing
    result = "".join(lines)
    _verify(path, result, changes)
    return result


def _fields(path: Path) -> Fields:
    problems: list[Problem] = []
    fields = read_mapping(path, problems)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if fields is None or errors:
        shown = "; ".join(str(p) for p in errors) or f"{path} cannot be read"
        raise EditError(f"{shown}; fix the file first (see `podcast check`); nothing was changed")
    return fields


def _line(fields: Fields, key: str) -> int:
    return fields.nodes[key][1]


def _end_line(fields: Fields, key: str | None) -> int:
    """The 0-based last line holding `key`'s value."""
    node = fields.nodes[key or ""][0]
    end = node.end_mark
    return int(end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line)


def _replace(path: Path, fields: Fields, lines: list[str], key: str, value: Change) -> None:
    node, line = fields.nodes[key]
    start, end = node.start_mark, node.end_mark
    if not isinstance(node, yaml.ScalarNode) or start.line != end.line or line - 1 != start.line:
        raise EditError(
            f"{path}:{line}: '{key}' spans several lines; write it on one line "
            f"('{key}: …') and run the command again; nothing was changed"
        )
    if value is None:
        del lines[start.line]
        return
    row = lines[start.line]
    lines[start.line] = row[: start.column] + value + row[end.column :]


def _verify(path: Path, text: str, changes: Mapping[str, Change]) -> None:
    """The edited text still parses, with each changed key holding what was written."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise EditError(
            f"{path}: editing would break the file ({exc}); nothing was changed"
        ) from exc
    for key, value in changes.items():
        wanted = None if value is None else yaml.safe_load(f"{key}: {value}")[key]
        if not isinstance(loaded, dict) or loaded.get(key) != wanted:
            raise EditError(f"{path}: could not set '{key}' line by line; nothing was changed")
