"""Shared fixtures: a scratch copy of the shipped show, the app, its client, a CLI runner, and
whether this process may fork workers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from support.clock import NOW

from podcast.read import parallel
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
    """The site on the scratch show, with a fixed clock and base URL, its search index ready."""
    made = create_app(
        {
            "EPISODES_ROOT": show_dir,
            "CLOCK": lambda: NOW,
            "BASE_URL": "https://offthecharts.example",
        }
    )
    made.extensions["search"].wait()  # as a server a moment after it started
    return made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The Flask test client."""
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    """click's CLI runner."""
    return CliRunner()


CHILD = "OTC_TEST_IN_ITS_OWN_PROCESS"


@pytest.fixture
def forking(request: pytest.FixtureRequest) -> bool:
    """Whether work forks in this process (`read.parallel`), as it does in `podcast check`.

    A site made by the test just before may still be preparing its search index on a thread:
    that is waited for. A library's thread may stay all session (in CI, an earlier test leaves
    asyncio's `asyncio-waitpid-0` and `asyncio_0`; nothing here uses asyncio itself), and
    nothing forks while a thread runs: the test then also runs in a pytest process of its own,
    where it must fork, and pass.
    """
    for thread in threading.enumerate():
        if thread.name == "search-index":
            thread.join(timeout=120)
    if parallel.can_fork():
        return True
    assert not os.environ.get(CHILD), [thread.name for thread in threading.enumerate()]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid]
    alone = subprocess.run(
        command,
        cwd=request.config.rootpath,
        env={**os.environ, CHILD: "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert alone.returncode == 0, alone.stdout[-4000:]
    return False  # here, the serial path must give the same answers
