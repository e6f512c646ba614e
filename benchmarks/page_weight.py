"""What each page type weighs on a phone (HTML+CSS+JS, raw and gzip'd; images; audio excluded).

Run by hand: `python benchmarks/page_weight.py [--screenshots]` (Debian's Chromium, Playwright).
It serves the shipped show on loopback, loads each page at 390 × 844, and fetches again what the
browser fetched; with --screenshots it also writes the docs/screenshot-*-{phone,desktop}.png.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # the package, and the tests' server launcher
from support.servers import Gunicorn, factory  # noqa: E402

PAGES = {
    "home": "/",
    "season": "/seasons/1/",
    "episode": "/episodes/s1-02-what-health-equity-means/",
    "transcript": "/episodes/s1-02-what-health-equity-means/transcript/es/",
    "embed": "/episodes/s1-02-what-health-equity-means/embed/",
    "poster": "/poster/",
}
FETCHED = """() => [...performance.getEntriesByType('navigation'),
                    ...performance.getEntriesByType('resource')]
    .map(e => e.name).filter(u => !new URL(u).pathname.startsWith('/audio/'))"""


def weigh(urls: list[str]) -> tuple[int, int, int]:
    """Bytes of text (raw, gzip'd) and of images among `urls`."""
    text = packed = images = 0
    for url in urls:
        data = urllib.request.urlopen(url).read()  # loopback only
        if url.endswith((".jpg", ".png")):
            images += len(data)
        else:
            text, packed = text + len(data), packed + len(gzip.compress(data, 6))
    return text, packed, images


def main() -> None:
    """Print one line per page type; write the screenshots if asked."""
    root = REPO / "episodes"
    app = factory({"EPISODES_ROOT": str(root)}, test_clock=True)  # every sample episode out
    with (
        tempfile.TemporaryDirectory() as folder,
        Gunicorn(root, Path(folder) / "log", app) as server,
    ):
        base = server.url
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            for name, path in PAGES.items():
                page = browser.new_page(viewport={"width": 390, "height": 844})
                page.goto(base + path, wait_until="load")
                text, packed, images = weigh(page.evaluate(FETCHED))
                print(
                    f"{name:8} HTML+CSS+JS {text / 1024:5.1f} KB ({packed / 1024:4.1f} KB gzip)"
                    f"  on the wire with images {(packed + images) / 1024:5.1f} KB"
                )
                page.close()
            if "--screenshots" in sys.argv:
                for name in ("home", "episode", "transcript"):
                    for label, width, height in (("phone", 390, 844), ("desktop", 1280, 900)):
                        page = browser.new_page(viewport={"width": width, "height": height})
                        page.goto(base + PAGES[name])
                        page.locator(".player.is-enhanced").wait_for()
                        page.screenshot(path=str(REPO / f"docs/screenshot-{name}-{label}.png"))
                        page.close()


if __name__ == "__main__":
    main()
