"""Assertions shared by the hostile tests: the feed is sound, the pages carry no live markup."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from io import BytesIO
from urllib.parse import urlsplit

import feedparser
import podcastparser
from bs4 import BeautifulSoup
from lxml import etree

from podcast.model import Catalog
from podcast.render import feed
from support.clock import NOW

BASE_URL = "https://offthecharts.example"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


def assert_feed_sound(body: bytes, expected_guids: Iterable[str]) -> None:
    """Well-formed XML; feedparser and podcastparser see the same episodes and guids."""
    expected = list(expected_guids)
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    items = root.findall("channel/item")
    assert [item.findtext("guid") for item in items] == expected
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    from_feedparser = [entry.id for entry in parsed.entries]
    from_podcastparser = [
        e["guid"] for e in podcastparser.parse(BASE_URL, BytesIO(body))["episodes"]
    ]
    assert from_feedparser == expected
    assert sorted(from_podcastparser) == sorted(expected)
    for item in items:
        html = item.findtext(f"{{{CONTENT_NS}}}encoded")
        if html:
            assert_no_live_markup(html, where=f"content:encoded of {item.findtext('guid')!r}")


def feed_of(catalog: Catalog) -> bytes:
    """The feed as podcast apps would get it at NOW."""
    return feed.build(catalog, BASE_URL, now=NOW)


_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "data")
# podcast: is the "Open in Apple Podcasts" link the site writes itself (render/subscribe.py):
# an app hand-off that runs nothing in the page, unlike javascript: or data:
_SAFE_SCHEMES = {"", "http", "https", "mailto", "podcast"}


def assert_no_live_markup(html: str | bytes, where: str) -> None:
    """No script, no event handler, no javascript:/data: URL: nothing a user string made live."""
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all(["iframe", "object", "embed", "svg", "math", "base"]) == [], where
    for script in soup.find_all("script"):  # the templates' own scripts: static files only
        if script.get("type") == "application/ld+json":  # data, not code: must stay JSON
            text = script.get_text()
            assert "<" not in text, f"{where}: markup inside JSON-LD {text[:200]!r}"
            json.loads(text)
            continue
        source = str(script.get("src", ""))
        assert urlsplit(source).path.startswith("/static/"), f"{where}: {script}"
        assert not script.get_text().strip(), f"{where}: inline script {script}"
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"{where}: <{tag.name} {name}=…>"
            if name in _URL_ATTRIBUTES:
                text = value if isinstance(value, str) else " ".join(value)
                scheme = urlsplit(re.sub(r"[\s\x00-\x1f]", "", text)).scheme.lower()
                assert scheme in _SAFE_SCHEMES, f"{where}: <{tag.name} {name}={text!r}>"
