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
from lxml import html as lxml_html

from podcast.model import Catalog
from podcast.render.notes import to_html

_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""")
_LINK_ATTRIBUTES = frozenset({"href", "src", "poster", "data", "action"})
_SCHEME_AND_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_PAGE_RELATIVE = ("?", "#", ";")  # resolved against the whole page address, not its folder


class Resolver:
    """Site paths (below `base`, no query or fragment) of URLs found on the pages of one site.

    `urljoin` of a URL that starts with `/` or a scheme and host depends on the page's origin
    only, which every page below `base` shares; of any other (but `?…`, `#…`, `;…` and "")
    on the page's folder only. Each such pair is resolved once.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self._known: dict[tuple[str, str], str | None] = {}

    def site_path(self, page: str, candidate: str) -> str | None:
        """Where `candidate`, found on `page`, leads on this site; None if elsewhere."""
        url = candidate.strip()
        if url.startswith("/") or _SCHEME_AND_HOST.match(url):
            key = ("", url)
        elif url and not url.startswith(_PAGE_RELATIVE):
            key = (page[: page.rfind("/") + 1], url)
        else:
            key = (page, url)
        if key not in self._known:
            self._known[key] = _site_path(urljoin(page, url), self.base)
        return self._known[key]


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
    for value in _LINK_VALUES(lxml_html.document_fromstring(text)):
        if not value:
            continue
        if value.attrname in ("srcset", "imagesrcset"):
            found += [item.split()[0] for item in value.split(",") if item.strip()]
        else:
            found.append(str(value))
    return found
