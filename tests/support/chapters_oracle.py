"""A test oracle for JSON Chapters 1.2: what a document breaks of the spec's rules.

Kept apart from the renderer (render/chapters.py) so the chapters the site serves are checked
against a separate reading of the spec, not against the code that wrote them.
"""

from __future__ import annotations

_TOP_LEVEL_TEXT = ("author", "title", "podcastName", "description", "fileName")
_CHAPTER_TEXT = ("title", "img", "url")


def validate_json(document: object) -> list[str]:
    """What breaks the JSON Chapters 1.2 rules in `document` (empty when it is valid)."""
    if not isinstance(document, dict):
        return ["the document is not a JSON object"]
    errors = []
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith("1.2"):
        errors.append(f"'version' should be the string '1.2.0', not {version!r}")
    errors += [
        f"'{key}' should be a string"
        for key in _TOP_LEVEL_TEXT
        if key in document and not isinstance(document[key], str)
    ]
    if "waypoints" in document and not isinstance(document["waypoints"], bool):
        errors.append("'waypoints' should be true or false")
    chapters = document.get("chapters")
    if not isinstance(chapters, list):
        return [*errors, "'chapters' should be an array"]
    previous: float | None = None
    for index, chapter in enumerate(chapters):
        errors += _chapter_errors(index, chapter, previous)
        start = chapter.get("startTime") if isinstance(chapter, dict) else None
        if _is_number(start):
            previous = float(start)  # type: ignore[arg-type]
    return errors


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _chapter_errors(index: int, chapter: object, previous: float | None) -> list[str]:
    where = f"chapters[{index}]"
    if not isinstance(chapter, dict):
        return [f"{where} is not an object"]
    errors = []
    start = chapter.get("startTime")
    if not _is_number(start) or start < 0:  # type: ignore[operator]
        errors.append(f"{where}.startTime should be a number of seconds ≥ 0, not {start!r}")
    elif previous is not None and start <= previous:  # type: ignore[operator]
        errors.append(f"{where}.startTime {start} is not after the previous chapter's {previous}")
    errors += [
        f"{where}.{key} should be a string"
        for key in _CHAPTER_TEXT
        if key in chapter and not isinstance(chapter[key], str)
    ]
    if "toc" in chapter and not isinstance(chapter["toc"], bool):
        errors.append(f"{where}.toc should be true or false")
    end = chapter.get("endTime")
    if end is not None and (not _is_number(end) or (_is_number(start) and end < start)):
        errors.append(f"{where}.endTime should be a number of seconds ≥ startTime")
    location = chapter.get("location")
    if location is not None and not (
        isinstance(location, dict)
        and isinstance(location.get("name"), str)
        and isinstance(location.get("geo"), str)
    ):
        errors.append(f"{where}.location should be an object with 'name' and 'geo' strings")
    return errors
