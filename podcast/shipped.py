"""Folders shipped with the package: templates and the sample show."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """`name` inside the installed package, else beside it in a source checkout."""
    installed = _PACKAGE / name  # pyproject maps the repo's top-level folders here in a wheel
    return installed if installed.is_dir() else _PACKAGE.parent / name
