"""The show's artwork and the episodes' images, as Apple requires them."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from podcast.checks.context import Context, problem
from podcast.errors import Problem, Severity
from podcast.files import FileFacts, cache_dir
from podcast.model import Episode, Show

CACHE_FILE = "images-v1.json"  # what each readable image is, while the file is unchanged
MAX_CACHE_BYTES = 16 * 2**20

ARTWORK_MIN, ARTWORK_MAX = 1400, 3000  # pixels, Apple's artwork requirements
IMAGE_TYPES = {"JPEG": {".jpg", ".jpeg"}, "PNG": {".png"}}


def check_artwork(context: Context) -> Iterator[Problem]:
    """Apple: artwork 1400–3000 px, square, RGB, JPEG or PNG bytes matching the extension."""
    show = context.catalog.show
    known = FileFacts(cache_dir("artwork", context.catalog.root) / CACHE_FILE, MAX_CACHE_BYTES)
    yield from _image_problems(known, show.artwork, show, "artwork", "artwork")
    for episode in context.catalog.episodes:
        if episode.image is not None:
            yield from _image_problems(known, episode.image, episode, "image", "episode-image")
    known.save()


def _image_problems(
    known: FileFacts, image: Path, source: Show | Episode, key: str, rule: str
) -> Iterator[Problem]:
    def found(message: str, hint: str, severity: Severity = Severity.ERROR) -> Problem:
        return problem(rule, source, key, f"{image.name}: {message}", hint, severity)

    facts = _remembered(known.get(image))
    if facts is None:
        try:
            facts = _read(image)
        except ValueError as exc:
            yield found(
                f"not a readable JPEG or PNG image ({exc})",
                "export the artwork again as JPEG or PNG",
            )
            return
        known.put(image, dict(zip(FACTS, facts, strict=True)))
    kind, width, height, mode = facts
    if kind not in IMAGE_TYPES:
        yield found(f"the image is {kind}, not JPEG or PNG", "export it as JPEG or PNG")
    elif image.suffix.lower() not in IMAGE_TYPES[kind]:
        yield found(
            f"the file holds a {kind} image but is named '{image.suffix}'",
            f"rename it to {image.stem}{sorted(IMAGE_TYPES[kind])[0]}",
        )
    if width != height:
        yield found(
            f"the image is {width}×{height} px, not square",
            "crop it to a square (Apple shows artwork square)",
        )
    if not ARTWORK_MIN <= max(width, height) <= ARTWORK_MAX or not ARTWORK_MIN <= min(
        width, height
    ):
        yield found(
            f"the image is {width}×{height} px; Apple wants {ARTWORK_MIN}–{ARTWORK_MAX} px",
            f"export it at 3000×3000 px (at least {ARTWORK_MIN})",
        )
    if mode in ("RGBA", "LA", "P", "PA"):
        yield found(
            f"the image has colour mode {mode} (transparency or a palette)",
            "save it as plain RGB; some apps show transparency as black",
            Severity.WARNING,
        )
    elif mode != "RGB":
        yield found(
            f"the image has colour mode {mode}; Apple requires RGB",
            "convert it to RGB (not CMYK or greyscale) in your image editor",
        )


FACTS = ("format", "width", "height", "mode")
Facts = tuple[str, int, int, str]


def _remembered(entry: dict[str, Any] | None) -> Facts | None:
    """The facts in a cache entry, if it holds them with their types (else read the image)."""
    if entry is None:
        return None
    values = tuple(entry.get(name) for name in FACTS)
    if not all(type(v) is t for v, t in zip(values, (str, int, int, str), strict=True)):
        return None
    return values  # type: ignore[return-value]


def _read(image: Path) -> Facts:
    """The image's format, size and mode, from its header; ValueError if it is no image.

    Pillow is imported here, when an image is new or changed: a check of unchanged artwork
    (its facts remembered) never pays its import (about 25 ms, with the logging it brings).
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(image) as picture:
                width, height = picture.size
                return str(picture.format), width, height, picture.mode
    except (
        OSError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValueError(str(exc)) from None
