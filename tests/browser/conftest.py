"""Browser fixtures: one gunicorn and one headless Chromium for the whole session.

The browser is Debian's /usr/bin/chromium driven by Playwright's Python package (never a browser
that Playwright downloads); axe-core comes from npm (.ci/run installs it into .ci/node). Where a
piece is missing the tests skip with the reason, except under CI, where they fail: a suite that
silently skips in CI would prove nothing.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.servers import WAIT, Gunicorn, factory

from podcast.read.catalog import default_root

from .chromium import ARTIFACTS, AXE, CHROMIUM, CHROMIUM_ARGS, WAIT_MS, missing


@pytest.fixture(scope="session")
def show_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped show for the server to read."""
    target = tmp_path_factory.mktemp("browser") / "episodes"
    shutil.copytree(default_root(), target)
    return target


@pytest.fixture(scope="session")
def base_url(show_root: Path) -> Iterator[str]:
    """The address of gunicorn on 127.0.0.1 serving the show, on the test clock."""
    ARTIFACTS.mkdir(exist_ok=True)
    app = factory({"EPISODES_ROOT": show_root}, test_clock=True)
    with Gunicorn(show_root, ARTIFACTS / "server.log", app) as server:
        wait_for_search(server)
        yield server.url


def wait_for_search(server: Gunicorn) -> None:
    """Until search answers (503 until the index file is built; a worker opens it at its first
    search)."""
    deadline = time.monotonic() + WAIT
    ready = 0
    while ready < 10 and time.monotonic() < deadline:  # ten in a row: built, and open
        ready = ready + 1 if server.get(b"/search/?q=care").status == 200 else 0
        time.sleep(0.02)
    if ready < 10:
        raise RuntimeError(f"search was not ready in {WAIT:.0f} s:\n{server.logged()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, launched once for the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright's Python package is not installed (pip install -e '.[test]')")
    if not CHROMIUM.is_file():
        missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile at desktop width; CSP bypassed so axe and waits can run."""
    created = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    created.set_default_timeout(WAIT_MS)
    yield created
    created.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A page in the fresh profile."""
    return context.new_page()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser bundle."""
    if not AXE.is_file():
        missing(f"axe-core is not installed at {AXE} (npm install --prefix .ci/node axe-core)")
    return AXE.read_text(encoding="utf-8")
