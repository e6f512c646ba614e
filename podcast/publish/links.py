"""The links in what a build fetched: the site paths a page, a feed or a style sheet leads to.

Links are found generically, so a new route is exported as soon as something links to it:
HTML attributes that hold URLs (href, src, srcset, …), CSS `url()`, and absolute URLs under
the base URL in any text (the feed, sitemaps, JSON). Pages repeat the same few dozen URLs
(the menu, the styles, the feed), so a `Resolver` resolves each distinct one once a build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from lxml import etree

from podcast.model import Catalog
from podcast.render.notes import to_html

_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""")
_LINK_ATTRIBUTES = frozenset({"href", "src", "poster", "data", "action"})
# A path urljoin only appends to the page's folder (or, from "/", puts after the host): no
# scheme, query, fragment or parameters, no backslash or space, and (checked apart) no "." or
# ".." segment and no empty one ("a//b"), which urljoin would remove.
_PLAIN = re.compile(r"[^:?#;\\\s]+")
# A host, after a scheme or not, and no space anywhere (urlsplit drops tabs and newlines):
# urljoin answers the same for every page of the site.
_ABSOLUTE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#\s]+\S*")


class Resolver:
    """Site paths (below `base`, no query or fragment) of URLs found on the pages of one site.

    `urljoin` of a URL with a host depends on nothing else, of a path from `/` on the page's
    origin, which every page below `base` shares, and of a relative path without a scheme
    (but `?…`, `#…`, `;…` and "") on the page's folder only: each such pair is resolved once,
    a plain path by string work rather than urljoin (a page's links into its own folder are its
    own: urljoin was most of a build's link handling). Anything else ("https:", "//", "a:b")
    is urljoin's, page by page.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self._known: dict[tuple[str, str], str | None] = {}
        split = urlsplit(base)
        origin = f"{split.scheme}://{split.netloc}"
        plain = base.startswith(origin) and not (split.query or split.fragment)
        self._path = base[len(origin) :] if plain else None  # "/otc/": the base's own path

    def site_path(self, page: str, candidate: str) -> str | None:
        """Where `candidate`, found on `page`, leads on this site; None if elsewhere."""
        url = candidate.strip()
        if url.startswith("/") and not url.startswith("//") and url.isprintable():
            key = ("", url)
        elif ":" in url or url.startswith("/"):
            key = ("", url) if _ABSOLUTE.fullmatch(url) else (page, url)
        elif url and url[0] not in "?#;":
            key = (page[: page.rfind("/") + 1], url)
        else:
            key = (page, url)
        if key not in self._known:
            self._known[key] = self._resolved(page, url)
        return self._known[key]

    def _resolved(self, page: str, url: str) -> str | None:
        """`_site_path(urljoin(page, url))`, by string work for a plain path, for the page
        itself (`#…`) and for an absolute URL below the base (most of a page's unique links:
        its own address, its audio, its embed and its chapters' `#t=` links)."""
        if self._path is not None and (url.startswith(self.base) or url[:1] == "#"):
            path = (page if url[:1] == "#" else url).partition("#")[0]
            if path.startswith(self.base) and _plain(path[len(self.base) :], empty=True):
                return "/" + path[len(self.base) :]
        plain = _plain(url)
        if self._path is None or not plain or any(c in page for c in "?#;"):
            return _site_path(urljoin(page, url), self.base)
        if url.startswith("/"):
            return "/" + url[len(self._path) :] if url.startswith(self._path) else None
        folder = page[: page.rfind("/") + 1]
        if not folder.startswith(self.base):
            return _site_path(urljoin(page, url), self.base)
        return "/" + folder[len(self.base) :] + url


def _plain(path: str, empty: bool = False) -> bool:
    """Whether urljoin leaves `path` as it is (`_PLAIN`, no "." or ".." or empty segment)."""
    if not path:
        return empty
    return bool(_PLAIN.fullmatch(path)) and "/." not in "/" + path and "//" not in path


def _site_path(absolute: str, base: str) -> str | None:
    if urlsplit(absolute).query or not absolute.startswith(base):
        return None  # another site, or a query no static file can answer
    return "/" + absolute[len(base) :].split("#")[0]


def internal_links(
    text: str, mimetype: str, page: str, base: str, resolver: Resolver | None = None
) -> Iterator[str]:
    """Site paths (below `base`, without query or fragment) that `text` links to."""
    resolver = resolver or Resolver(base)
    candidates: set[str] = set(re.findall(re.escape(base) + r"[^\s\"'<>()\\]*", text))
    if mimetype == "text/html":
        candidates.update(html_links(text))
    elif mimetype == "text/css":
        candidates.update(_CSS_URL.findall(text))
    for candidate in candidates:
        path = resolver.site_path(page, candidate)
        if path is not None:
            yield path


def producer_links(catalog: Catalog, base: str) -> set[str]:
    """Site paths the producer's own words link to: notes, chapter links, people, show links."""
    written = [url for _, url in (*catalog.show.links, *catalog.show.funding)]
    notes = [to_html(e.notes) for e in catalog.episodes if e.notes]
    for episode in catalog.episodes:
        written += [c.url for c in episode.all_chapters if c.url]
        written += [p.href for p in episode.guests if p.href]
    found = {link for url in written for link in internal_links(url, "text/plain", base, base)}
    return found | {
        link for html in notes for link in internal_links(html, "text/html", base, base)
    }


# libxml2's HTML parser without lxml.html's element classes, which only slowed the parse down
# (a third of it): only attribute values are read.
_HTML = etree.HTMLParser()
_LINK_VALUES = etree.XPath(
    "|".join(f"//@{name}" for name in sorted({*_LINK_ATTRIBUTES, "srcset", "imagesrcset"}))
)


def html_links(text: str) -> list[str]:
    """URLs in an HTML page's link-bearing attributes (href, src, srcset, …), entities decoded.

    libxml2's HTML parser (through lxml, which feedgen already needs) reads a page several
    times faster than `html.parser`, and a build reads every page.
    """
    if not text.strip():
        return []
    found: list[str] = []
    document = etree.fromstring(text, _HTML)
    if document is None:  # nothing libxml2 could read as an element (a comment, say)
        return []
    for value in _LINK_VALUES(document):
        if not value:
            continue
        if value.attrname in ("srcset", "imagesrcset"):
            found += [item.split()[0] for item in value.split(",") if item.strip()]
        else:
            found.append(str(value))
    return found
