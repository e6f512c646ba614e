"""Links found in what a build fetched: each distinct one resolved once, as `urljoin` would."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from podcast.publish.links import Resolver, internal_links

BASE = "https://example.org/otc/"
PAGES = [
    BASE,
    BASE + "episodes/a/",
    BASE + "episodes/b/",
    BASE + "episodes/a/embed/",
    BASE + "feed.xml",
    BASE + "static/style.css",
]
CANDIDATES = [
    "",
    " ",
    "#top",
    "?q=1",
    ";params",
    "x",
    "./x",
    "../x/",
    "../../static/y.css",
    "embed/",
    "/otc/seasons/1/",
    "/otc/../otc/a/",
    "/elsewhere/",
    "//example.org/otc/episodes/a/",
    "//cdn.example.net/otc/a.mp3",
    "https://example.org/otc/feed.xml#x",
    "https://example.org/otc/search/?q=a",
    "https:relative/",
    "http://example.org/otc/feed.xml",
    "mailto:someone@example.org",
    "podcast://example.org/otc/feed.xml",
]


def expected(page: str, candidate: str) -> str | None:
    """What a build has always made of a link: urljoin, then below the base and no query."""
    absolute = urljoin(page, candidate.strip())
    if urlsplit(absolute).query or not absolute.startswith(BASE):
        return None
    return "/" + absolute[len(BASE) :].split("#")[0]


def test_a_resolver_agrees_with_urljoin_in_any_order() -> None:
    resolver = Resolver(BASE)
    pairs = [(page, candidate) for page in PAGES for candidate in CANDIDATES]
    for page, candidate in [*pairs, *reversed(pairs)]:  # the second pass answers from memory
        assert resolver.site_path(page, candidate) == expected(page, candidate), (page, candidate)


def test_relative_links_depend_on_the_page() -> None:
    resolver = Resolver(BASE)
    assert resolver.site_path(BASE + "episodes/a/", "embed/") == "/episodes/a/embed/"
    assert resolver.site_path(BASE + "episodes/b/", "embed/") == "/episodes/b/embed/"
    assert resolver.site_path(BASE + "episodes/a/", "") == "/episodes/a/"
    assert resolver.site_path(BASE + "feed.xml", "") == "/feed.xml"


def test_pages_share_a_resolver() -> None:
    resolver = Resolver(BASE)
    html = '<a href="/otc/seasons/1/">S1</a> <img srcset="x.jpg 1x, /otc/y.jpg 2x"> ' + BASE
    first = sorted(internal_links(html, "text/html", BASE + "episodes/a/", BASE, resolver))
    again = sorted(internal_links(html, "text/html", BASE + "episodes/b/", BASE, resolver))
    assert first == ["/", "/episodes/a/x.jpg", "/seasons/1/", "/y.jpg"]
    assert again == ["/", "/episodes/b/x.jpg", "/seasons/1/", "/y.jpg"]


@given(
    page=st.sampled_from([*PAGES, BASE + "a", BASE[:-1], BASE + "a;p", BASE + "q?x=/y/"]),
    start=st.sampled_from(
        ["", "#", "/", "/otc/", "//", "https:", "https://", BASE, "//example.org/", BASE + "a/#"]
    ),
    rest=st.text(alphabet="ab/.:?#;%\\ \t@=-", max_size=12),
)
@settings(max_examples=3000, deadline=None)
def test_a_resolver_agrees_with_urljoin_on_any_link(page: str, start: str, rest: str) -> None:
    """Plain paths are resolved by string work, not urljoin, and pairs are shared between
    pages: neither may change an answer."""
    resolver, candidate = Resolver(BASE), start + rest
    for other in PAGES:  # answers remembered from other pages first
        resolver.site_path(other, candidate)
    assert resolver.site_path(page, candidate) == expected(page, candidate)
