"""Show notes: Markdown to sanitized HTML, and plain text for RSS descriptions."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from podcast.model import XML_FORBIDDEN, Episode

DESCRIPTION_LIMIT = 4000  # bytes; Apple truncates (and some validators reject) longer text

# What podcast apps render in content:encoded; everything else is stripped.
ALLOWED_TAGS = frozenset("a p br strong em b i ul ol li blockquote code pre h2 h3 h4 hr".split())
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False})
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)


def xml_safe(text: str) -> str:
    """Drop the control characters XML 1.0 forbids (they would break the feed)."""
    return XML_FORBIDDEN.sub("", text)


@lru_cache(maxsize=8192)
def to_html(markdown: str) -> str:
    """Markdown show notes as HTML safe to embed in a page or a feed."""
    rendered = _markdown.render(xml_safe(markdown))
    return nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


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
