"""Show notes: Markdown to sanitized HTML, and plain text for RSS descriptions."""

from __future__ import annotations

import html
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import nh3

from podcast.model import XML_FORBIDDEN, Episode

DESCRIPTION_LIMIT = 4000  # bytes; Apple truncates (and some validators reject) longer text

# What podcast apps render in content:encoded; everything else is stripped.
ALLOWED_TAGS = frozenset("a p br strong em b i ul ol li blockquote code pre h2 h3 h4 hr".split())
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)


if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@cache
def markdown_parser() -> MarkdownIt:
    """The CommonMark parser, raw HTML off. Made on first use: importing markdown-it is about
    30 ms, which `podcast check` spends only when it renders notes (the site makes it at
    start, so gunicorn's workers inherit it)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def xml_safe(text: str) -> str:
    """Drop the control characters XML 1.0 forbids (they would break the feed)."""
    return XML_FORBIDDEN.sub("", text)


# Renderings given by `remember` (render.notes_memory, before a build forks its renderers).
_REMEMBERED: dict[str, str] = {}


@lru_cache(maxsize=8192)
def to_html(markdown: str) -> str:
    """Markdown show notes as HTML safe to embed in a page or a feed."""
    remembered = _REMEMBERED.get(markdown)
    return remembered if remembered is not None else render_html(markdown)


def render_html(markdown: str) -> str:
    """`to_html` without its caches: Markdown rendered and sanitized now (about 0.3 ms)."""
    return sanitize(markdown_parser().render(xml_safe(markdown)))


def sanitize(html: str) -> str:
    """HTML with only the tags, attributes and link schemes podcast apps render."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


def remember(renderings: dict[str, str]) -> None:
    """Answer `to_html` for these texts (Markdown → its HTML) without rendering them.

    The caller vouches that each HTML is `render_html` of its text. Replaces what was given
    before, so a process building one show after another holds one show's notes.
    """
    _REMEMBERED.clear()
    _REMEMBERED.update(renderings)
    to_html.cache_clear()
    to_text.cache_clear()


@lru_cache(maxsize=8192)
def to_text(markdown: str) -> str:
    """The notes as plain text, paragraphs separated by blank lines."""
    marked = _BLOCK_END.sub("\n", to_html(markdown))
    text = html.unescape(nh3.clean(marked, tags=set()))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def truncate_bytes(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` UTF-8 bytes, with an ellipsis."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - len("…".encode())].decode("utf-8", "ignore")
    return cut.rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def description_text(episode: Episode) -> str:
    """Plain-text description: the summary, else the notes as text, else the title."""
    return episode.summary or (to_text(episode.notes) if episode.notes else episode.title)
