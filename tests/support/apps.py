"""App factories for servers started in another process, where a clock cannot be passed in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from podcast.site.app import create_app

from .clock import NOW


def create_app_on_test_clock(config: Mapping[str, Any]) -> Flask:
    """The site on `config` with the test clock: gunicorn's factory for the browser tests."""
    return create_app({**config, "CLOCK": lambda: NOW})
