"""Properties over generated catalogs (hypothesis).

- Any catalog that loads gives a well-formed feed that feedparser and podcastparser read with
  the same episodes and guids, and pages that never carry a user-supplied string unescaped.
- Any catalog that fails names files of the catalog, each problem with a hint; nothing but
  CatalogError ever escapes the loader.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support.clock import NOW
from support.outputs import BASE_URL, assert_feed_sound, assert_no_live_markup, feed_of
from support.scratch import ARTWORK, DATA, SHOW, dump

from podcast.errors import CatalogError, Severity
from podcast.model import Catalog
from podcast.read.catalog import load
from podcast.site.app import create_app

pytestmark = pytest.mark.slow  # run by CI; skipped by `pytest -m "not slow"`
SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "120")),
    deadline=None,  # loading, rendering and parsing a catalog takes real I/O
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces a hostile producer (or a paste from a web page) puts into text. Each carries a
# marker token, `zq<n>qz`, that appears nowhere in the templates: if a page holds one of
# these pieces verbatim, or an element or attribute made from it, the text went out raw.
INJECTIONS = [
    "<script>zq{n}qz()</script>",
    '<em class="zq{n}qz">',
    '"><img src=x onerror=zq{n}qz>',
    "' onmouseover='zq{n}qz' x='",
    '<a href="javascript:zq{n}qz()">x</a>',
    "<!--zq{n}qz-->",
    "]]>zq{n}qz<![CDATA[",
    "{{ zq{n}qz }}{% if %}",
    "&lt;zq{n}qz&gt;&#x3c;",
]
SPICE = [
    "\u202e",
    "\u0301",
    "👩🏽‍⚕️",
    "\x00",
    "\x1b",
    "\ufffe",
    "\r\n",
    "\t",
    " ",
    "&",
    "<",
    ">",
    '"',
    "'",
    "\\",
    "%",
    "#",
    ": ",
    "- ",
    "*",
    "|",
    "!!",
    "---",
    "...",
]


def _inject(template: str, n: int) -> str:
    return template.replace("{n}", str(n))


pieces = st.one_of(
    st.text(max_size=12),
    st.sampled_from(SPICE),
    st.builds(_inject, st.sampled_from(INJECTIONS), st.integers(0, 99)),
)
user_text = st.lists(pieces, max_size=5).map("".join)
nonblank_text = st.tuples(
    st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8), user_text
).map("".join)
zones = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
published = st.datetimes(datetime(2001, 1, 1), datetime(2026, 10, 1), timezones=zones)


@st.composite
def episodes(draw: st.DrawFn, least: int = 0) -> list[dict[str, Any]]:
    """`least`-4 episodes with user text everywhere, distinct guids and numbers."""
    count = draw(st.integers(least, 4))
    guids = draw(
        st.lists(nonblank_text, min_size=count, max_size=count, unique_by=lambda g: g.strip())
    )
    result = []
    for index, guid in enumerate(guids):
        fields: dict[str, Any] = {
            "title": draw(nonblank_text),
            "season": draw(st.integers(1, 3)),
            "episode": index + 1,
            "published": draw(published),
            "type": draw(st.sampled_from(["full", "trailer", "bonus"])),
            "guid": guid,
            "summary": draw(user_text),
            "notes": draw(user_text),
        }
        if draw(st.booleans()):
            fields["guests"] = [{"name": draw(nonblank_text), "bio": draw(user_text)}]
        if draw(st.booleans()):
            fields["chapters"] = [{"start": "00:00:01", "title": draw(nonblank_text)}]
        result.append(fields)
    return result


@st.composite
def shows(draw: st.DrawFn) -> dict[str, Any]:
    """show.yaml with user text in every free-text field."""
    return {
        **SHOW,
        "title": draw(nonblank_text),
        "subtitle": draw(user_text),
        "description": draw(nonblank_text),
        "author": draw(nonblank_text),
        "copyright": draw(user_text),
        "owner": {"name": draw(nonblank_text), "email": "owner@example.org"},
        "hosts": [{"name": draw(nonblank_text), "bio": draw(user_text)}],
        "seasons": {1: {"title": draw(user_text), "description": draw(user_text)}},
        "links": {draw(nonblank_text): "https://example.org/listen"},
    }


@contextmanager
def written(show: dict[str, Any], items: list[dict[str, Any]]) -> Iterator[Path]:
    """The show and its episodes as files in a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="prop-") as folder:
        root = Path(folder) / "show"
        (root / "season-1").mkdir(parents=True)
        os.link(ARTWORK, root / "artwork.jpg")
        (root / "show.yaml").write_text(dump(show), "utf-8")
        for index, fields in enumerate(items, 1):
            season = root / f"season-{fields['season']}"
            season.mkdir(exist_ok=True)
            (season / f"{index:02d}-episode.yaml").write_text(dump(fields), "utf-8")
            # a copy, not a hard link: the loader rightly takes links to one file as one audio
            shutil.copyfile(DATA / "cbr.mp3", season / f"{index:02d}-episode.mp3")
        yield root


def user_strings(show: dict[str, Any], items: list[dict[str, Any]]) -> list[str]:
    """Every string the producer wrote, at any depth."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk([show, items])
    return found


MARKER = re.compile(r"zq\d+qz")


def assert_escaped(html: bytes, strings: list[str], where: str) -> None:
    """No injected piece verbatim in the page; no element or attribute built from one."""
    text = html.decode("utf-8")
    for string in strings:
        for template in INJECTIONS:
            for marker in MARKER.findall(string):
                piece = _inject(template, int(marker[2:-2]))
                if piece in string and "<" in piece:
                    assert piece not in text, f"{where}: {piece!r} appears unescaped"
    assert_no_live_markup(html, where)
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        assert not MARKER.search(tag.name), f"{where}: element <{tag.name}>"
        for name, value in tag.attrs.items():
            assert not MARKER.search(name), f"{where}: attribute {name}= on <{tag.name}>"
            if name in ("class", "id", "src", "href", "style", "srcset", "action"):
                joined = value if isinstance(value, str) else " ".join(value)
                assert not MARKER.search(joined), f"{where}: {name}={joined!r}"


def assert_catalog_outputs(catalog: Catalog, strings: list[str]) -> None:
    """The feed property and the escaping property for one loaded catalog."""
    visible = catalog.visible(NOW)
    assert_feed_sound(feed_of(catalog), [e.guid for e in visible])
    app = create_app({"EPISODES_ROOT": catalog.root, "CLOCK": lambda: NOW, "BASE_URL": BASE_URL})
    client = app.test_client()
    pages = [
        "/",
        *{f"/seasons/{e.season}/" for e in visible},
        *(f"/episodes/{e.slug}/" for e in visible),
        "/no-such-page",
    ]
    for page in pages:
        with client.get(page) as response:
            assert response.status_code in (200, 404), page
            assert_escaped(response.data, strings, page)
    with client.get("/feed.xml") as response:
        assert_feed_sound(response.data, [e.guid for e in visible])


def assert_names_catalog_files(error: CatalogError, root: Path) -> None:
    """Every problem names a file inside the catalog and says how to fix it."""
    assert error.problems
    for problem in error.problems:
        assert problem.path is not None, problem
        assert os.path.normpath(problem.path).startswith(str(root)), problem
        assert problem.hint, problem


# a guid that apps would read differently; two guids equal once control characters are gone
EXPECTED_REFUSALS = r"reads differently in different podcast apps|duplicate guid"


@SETTINGS
@given(show=shows(), items=episodes(least=1))
def test_generated_catalogs_give_sound_feeds_and_escaped_pages(
    show: dict[str, Any], items: list[dict[str, Any]]
) -> None:
    with written(show, items) as root:
        try:
            catalog = load(root)
        except CatalogError as error:
            event("catalog refused")
            assert_names_catalog_files(error, root)
            # Everything generated here is valid but for these two; any other refusal would
            # quietly move examples away from the feed property, so it fails the test
            errors = [p.message for p in error.problems if p.severity is Severity.ERROR]
            assert all(re.search(EXPECTED_REFUSALS, message) for message in errors), errors
            return
        event(f"loaded with {len(catalog.episodes)} episode(s)")
        assert len(catalog.episodes) == len(items)
        assert_catalog_outputs(catalog, user_strings(show, items))


# --- failing catalogs ------------------------------------------------------------------------


def _containers(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(
        st.lists(children, max_size=3), st.dictionaries(user_text, children, max_size=3)
    )


yaml_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        user_text,
        st.dates().map(str),
        published,
    ),
    _containers,
    max_leaves=8,
)
KEYS = [
    "title",
    "season",
    "episode",
    "published",
    "type",
    "guid",
    "summary",
    "notes",
    "explicit",
    "audio",
    "transcript",
    "chapters",
    "guests",
    "image",
    "surprise",
]
SHOW_KEYS = [
    "title",
    "description",
    "language",
    "author",
    "owner",
    "artwork",
    "categories",
    "explicit",
    "type",
    "site",
    "hosts",
    "seasons",
    "links",
    "podcast_guid",
]


@st.composite
def broken(draw: st.DrawFn) -> tuple[str, int, object]:
    """Which file to break (-1 is show.yaml), and how: a key given any value, or raw text."""
    target = draw(st.integers(-1, 1))
    how = draw(st.sampled_from(["value", "text", "bytes", "truncate"]))
    if how == "value":
        key = draw(st.sampled_from(SHOW_KEYS if target < 0 else KEYS))
        return how, target, (key, draw(yaml_values))
    if how == "text":
        return how, target, draw(st.text(max_size=200))
    if how == "bytes":
        return how, target, draw(st.binary(max_size=200))
    return how, target, draw(st.integers(0, 400))


@SETTINGS
@given(show=shows(), items=episodes(least=1), damage=broken())
def test_broken_catalogs_fail_naming_their_files(
    show: dict[str, Any], items: list[dict[str, Any]], damage: tuple[str, int, object]
) -> None:
    how, target, what = damage
    with written(show, items) as root:
        path = (
            root / "show.yaml"
            if target < 0
            else sorted(root.glob("season-*/*.yaml"))[target % len(items)]
        )
        if how == "value":
            key, value = what  # type: ignore[misc]
            fields = yaml.safe_load(path.read_text("utf-8"))
            fields[key] = value
            path.write_text(dump(fields), "utf-8")
        elif how == "text":
            path.write_text(str(what), "utf-8")
        elif how == "bytes":
            path.write_bytes(bytes(what))  # type: ignore[arg-type]
        else:
            path.write_bytes(path.read_bytes()[: int(what)])  # type: ignore[call-overload]
        try:
            catalog = load(root)
        except CatalogError as error:
            event(f"{how}: failed")
            assert_names_catalog_files(error, root)
            return
        event(f"{how}: still loads")
        assert_catalog_outputs(catalog, user_strings(show, items))


def test_the_markers_are_not_in_the_templates() -> None:
    """The escaping property relies on `zq…qz` never appearing in our own markup."""
    templates = Path(__file__).resolve().parents[1] / "templates"
    for template in templates.glob("*.html"):
        assert not MARKER.search(template.read_text("utf-8")), template


def test_a_raw_piece_would_be_caught() -> None:
    """The check itself can fail: an unescaped injection is reported."""
    piece = _inject(INJECTIONS[1], 7)
    try:
        assert_escaped(f"<p>{piece}</p>".encode(), [piece], "sample")
    except AssertionError:
        return
    raise AssertionError("an unescaped piece went unnoticed")
