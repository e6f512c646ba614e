"""The exported site searches on a plain static server: Pagefind's index, in headless Chromium."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from bs4 import BeautifulSoup
from support.clock import NOW
from support.servers import static_server

from podcast.model import Catalog
from podcast.publish import build as export
from podcast.publish import static_search
from podcast.read.catalog import default_root, load
from podcast.render.cues import read_cues
from podcast.render.search import words
from podcast.site.app import create_app

from .chromium import WAIT_MS
from .test_listener import assert_axe_passes

pytestmark = pytest.mark.slow  # run by CI; skipped by `pytest -m "not slow"`
BASE = "https://example.org/otc"  # served below a path, as on GitHub Pages


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = tmp_path_factory.mktemp("static-search") / "episodes"
    shutil.copytree(default_root(), root)
    return load(root)


@pytest.fixture(scope="module")
def exported(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export, in a folder `otc` (the base URL's path) of what the host serves."""
    served = tmp_path_factory.mktemp("static-host")
    app = create_app({"EPISODES_ROOT": catalog.root, "CLOCK": lambda: NOW})
    export.build(app, served / "otc", BASE)
    return served / "otc"


@pytest.fixture(scope="module")
def site(exported: Path) -> Iterator[str]:
    """The export served by Python's http.server, at /otc/ as the base URL says."""
    with static_server(exported.parent) as address:
        yield address + "/otc"


def only_in_its_transcript(catalog: Catalog, folder: Path) -> tuple[str, str]:
    """(word, slug): a word said in one episode's transcript and on no other exported page."""
    said: dict[str, set[str]] = {}
    for page in folder.rglob("*.html"):
        text = BeautifulSoup(page.read_text("utf-8"), "html.parser").get_text(" ")
        for word in words(text):
            said.setdefault(word, set()).add(page.parent.name)
    for episode in catalog.episodes:
        if episode.transcript is None:
            continue
        for cue in read_cues(episode.transcript.path):
            for word in words(cue.text):
                if len(word) >= 6 and word.isalpha() and said[word] == {episode.slug}:
                    return word, episode.slug
    raise AssertionError("no transcript has a word of its own")


def search(browser: Any, address: str, query: str, scheme: str = "light") -> Any:
    context = browser.new_context(color_scheme=scheme)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(f"{address}/search/?q={query}")
    page.locator("#results-heading").wait_for()
    return page


def test_a_word_from_a_transcript_finds_its_episode(
    browser: Any, site: str, catalog: Catalog, exported: Path
) -> None:
    word, slug = only_in_its_transcript(catalog, exported)
    page = search(browser, site, word)
    try:
        assert page.locator("#results-heading").inner_text() == f"1 episode for “{word}”"
        link = page.locator(".result h3 a")
        found = catalog.find(slug)
        assert found is not None
        assert link.inner_text() == found.title  # the page's title, not its <title>
        assert link.get_attribute("href") == f"/otc/episodes/{slug}/"
        assert word in page.locator(".result mark").first.inner_text().lower()
        link.click()
        page.wait_for_url(f"**/otc/episodes/{slug}/")
    finally:
        page.context.close()


def test_words_found_nowhere_say_so_and_the_page_has_one_search_box(
    browser: Any, site: str
) -> None:
    page = search(browser, site, "zeppelinosaurus")
    try:
        assert page.locator("#results-heading").inner_text() == "No episodes for “zeppelinosaurus”"
        assert page.locator(".result").count() == 0
        assert page.get_by_role("searchbox").count() == 1
        assert page.get_by_role("searchbox").input_value() == "zeppelinosaurus"
        assert page.locator(".static-note").count() == 0  # searched, not "cannot search"
    finally:
        page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("query", ["care", "zeppelinosaurus"])
def test_static_results_have_no_wcag_aa_violations(
    browser: Any, site: str, axe_source: str, scheme: str, query: str
) -> None:
    page = search(browser, site, query, scheme)
    try:
        assert_axe_passes(page, axe_source)
    finally:
        page.context.close()


SPANISH_CUE = "Hablamos de la vacunación en la clínica del barrio."  # for the page made below


def test_a_spanish_query_finds_the_spanish_transcript_page(
    browser: Any, site: str, catalog: Catalog, exported: Path
) -> None:
    spanish = [t for e in catalog.episodes for t in e.transcripts if t.language == "es"]
    assert spanish, "the shipped show has a Spanish transcript"
    pages = {p.parent.relative_to(exported).as_posix() for p in exported.rglob("*.html")}
    words_on: dict[str, set[str]] = {}
    for page_path in exported.rglob("*.html"):
        text = BeautifulSoup(page_path.read_text("utf-8"), "html.parser").get_text(" ")
        for word in words(text):
            words_on.setdefault(word, set()).add(page_path.parent.relative_to(exported).as_posix())
    own = [
        (word, next(iter(where)))
        for cue in read_cues(spanish[0].path)
        for word in words(cue.text)
        if len(word) >= 6 and len(where := words_on.get(word, set())) == 1
    ]
    assert own and all(folder in pages for _, folder in own)
    word, folder = max(own, key=lambda pair: len(pair[0]))  # the most telling
    page = search(browser, site, word)
    try:
        assert page.locator("html").get_attribute("lang") == "en-us"  # the English search page
        link = page.locator(f".result h3 a[href='/otc/{folder}/']")
        assert link.count() == 1, page.locator(".results").inner_html()
        assert link.get_attribute("lang") == "es"
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def two_language_site(
    catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The English export plus one page in Spanish (lang="es"), indexed again: as the site looks
    once transcripts come in several languages. Yields (address, Spanish page's path)."""
    served = tmp_path_factory.mktemp("two-languages")
    app = create_app({"EPISODES_ROOT": catalog.root, "CLOCK": lambda: NOW})
    site = served / "otc"
    export.build(app, site, BASE)
    english = site / "episodes" / "s3-01-trust-in-medicine" / "index.html"
    page = BeautifulSoup(english.read_text("utf-8"), "html.parser")
    page.html["lang"] = "es"
    article = page.select_one("[data-pagefind-body]")
    assert article is not None
    article.clear()
    heading = page.new_tag("h1")
    heading.string = "La confianza en la medicina"
    line = page.new_tag("p")
    line.string = SPANISH_CUE
    article.extend([heading, line])
    # where the site puts a page in another language: a transcript's (the pages Pagefind reads)
    spanish = site / "episodes" / "s3-01-trust-in-medicine" / "transcript" / "es" / "index.html"
    spanish.parent.mkdir(parents=True)
    spanish.write_text(str(page), "utf-8")
    shutil.rmtree(site / static_search.FOLDER)

    def put(relative: PurePosixPath, body: bytes) -> None:
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)

    list(static_search.add_index(site, put))
    entry = json.loads((site / static_search.FOLDER / "pagefind-entry.json").read_text("utf-8"))
    assert sorted(entry["languages"]) == ["en-us", "es"]
    with static_server(served) as address:
        yield address + "/otc", "/otc/episodes/s3-01-trust-in-medicine/transcript/es/"


def test_the_english_search_page_finds_pages_in_every_language(
    browser: Any, two_language_site: tuple[str, str]
) -> None:
    address, spanish = two_language_site
    page = search(browser, address, "vacunación")
    try:
        assert page.locator("html").get_attribute("lang") == "en-us"
        assert page.locator("#results-heading").inner_text() == "1 episode for “vacunación”"
        link = page.locator(".result h3 a")
        assert link.get_attribute("href") == spanish
        assert link.inner_text() == "La confianza en la medicina"
        assert link.get_attribute("lang") == "es"
    finally:
        page.context.close()
    english = search(browser, address, "trust")  # and the page's own language still answers
    try:
        hrefs = english.locator(".result h3 a").evaluate_all("links => links.map(a => a.href)")
        assert any(h.endswith("/otc/episodes/s3-01-trust-in-medicine/") for h in hrefs), hrefs
    finally:
        english.context.close()
