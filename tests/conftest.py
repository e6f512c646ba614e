"""Shared fixtures: a scratch copy of the shipped show, the app, its client and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from support.clock import NOW

from podcast.read.catalog import default_root
from podcast.site.app import create_app

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own XDG_CACHE_HOME (subprocesses inherit it): never the real user's cache.

    Apart from tmp_path, so tests that snapshot tmp_path see only the show.
    """
    folder = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def data_dir() -> Path:
    """Small committed audio files (see tests/data/README.md)."""
    return DATA


@pytest.fixture
def show_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped show."""
    target = tmp_path / "episodes"
    shutil.copytree(default_root(), target)
    return target


@pytest.fixture
def write(show_dir: Path) -> Callable[[str, str], Path]:
    """Write a text file into the scratch show: write('season-1/x.yaml', text)."""

    def _write(relative: str, text: str) -> Path:
        path = show_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def app(show_dir: Path) -> Flask:
    """The site on the scratch show, with a fixed clock and base URL."""
    return create_app(
        {
            "EPISODES_ROOT": show_dir,
            "CLOCK": lambda: NOW,
            "BASE_URL": "https://offthecharts.example",
        }
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The Flask test client."""
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    """click's CLI runner."""
    return CliRunner()
