"""Sharing an episode or the show: the oEmbed document, the iframe snippet and the QR code."""

from __future__ import annotations

from html import escape
from io import BytesIO
from pathlib import Path
from typing import Any

import segno
from PIL import Image

from podcast.model import Episode, Show

OEMBED_TYPE = "application/json+oembed"
EMBED_WIDTH = 640  # the embed page's player is one row of controls: wide, not tall
EMBED_HEIGHT = 240
SMALLEST_EMBED = (240, 120)  # below this the controls no longer fit; asked sizes are clamped


def embed_size(max_width: int | None, max_height: int | None) -> tuple[int, int]:
    """The iframe's width and height, within a consumer's maxwidth/maxheight where it can."""
    width = min(EMBED_WIDTH, max_width) if max_width else EMBED_WIDTH
    height = min(EMBED_HEIGHT, max_height) if max_height else EMBED_HEIGHT
    return max(width, SMALLEST_EMBED[0]), max(height, SMALLEST_EMBED[1])


def embed_html(embed_url: str, title: str, width: int, height: int) -> str:
    """The `<iframe>` a blog post pastes to carry the episode's player."""
    return (
        f'<iframe src="{escape(embed_url)}" title="{escape(title)}" width="{width}" '
        f'height="{height}" style="border:0;max-width:100%" loading="lazy" '
        'allow="autoplay; encrypted-media"></iframe>'
    )


def oembed(
    show: Show,
    episode: Episode,
    embed_url: str,
    thumbnail: tuple[str, int, int] | None,
    site_url: str,
    size: tuple[int, int] = (EMBED_WIDTH, EMBED_HEIGHT),
) -> dict[str, Any]:
    """The oEmbed 1.0 "rich" response for an episode (https://oembed.com/, section 2.3.4)."""
    title = f"{episode.title} · {show.title}"
    width, height = size
    document: dict[str, Any] = {
        "version": "1.0",
        "type": "rich",
        "title": title,
        "author_name": show.author,
        "provider_name": show.title,
        "provider_url": site_url,
        "html": embed_html(embed_url, f"Player: {title}", width, height),
        "width": width,
        "height": height,
        "cache_age": 86400,
    }
    if thumbnail is not None:  # the spec: a thumbnail comes with its width and height
        document.update(
            zip(("thumbnail_url", "thumbnail_width", "thumbnail_height"), thumbnail, strict=True)
        )
    return document


def qr_svg(url: str, title: str) -> str:
    """An SVG QR code of `url` (error correction M: survives a scuffed poster), titled."""
    code = segno.make(url, error="m", micro=False)
    svg: str = code.svg_inline(
        scale=8, border=4, title=title, dark="#000", light="#fff", omitsize=True
    )
    return svg


THUMBNAIL_PIXELS = 320  # twice the largest size pages show artwork at (160 CSS px)


def thumbnail(path: Path, pixels: int = THUMBNAIL_PIXELS) -> bytes:
    """The image at `path` scaled to fit `pixels` square, as a JPEG (pages stay light)."""
    with Image.open(path) as picture:
        small = picture.convert("RGB")
        small.thumbnail((pixels, pixels), Image.Resampling.LANCZOS)
    out = BytesIO()
    small.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
