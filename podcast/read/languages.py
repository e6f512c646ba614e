"""BCP 47 language tags: is a tag well formed, and what a language calls itself.

Transcripts in other languages are named `01-topic.es.vtt`; the tag after the stem must be a
well-formed RFC 5646 tag. The primary subtag is held to ISO 639's two or three letters: the
grammar also allows 4–8 letters, but none is registered, and a file like `01-topic.backup.vtt`
should be reported, not published as a language called "backup".
"""

from __future__ import annotations

import re

_ALNUM = "[a-z0-9]"
_LANGTAG = re.compile(
    rf"""^
    [a-z]{{2,3}}(?:-[a-z]{{3}}){{0,3}}            # language, extlang
    (?:-[a-z]{{4}})?                              # script
    (?:-(?:[a-z]{{2}}|[0-9]{{3}}))?               # region
    (?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*  # variants
    (?:-[0-9a-wy-z](?:-{_ALNUM}{{2,8}})+)*        # extensions
    (?:-x(?:-{_ALNUM}{{1,8}})+)?                  # private use
    $""",
    re.IGNORECASE | re.VERBOSE,
)

# What each language is called in itself, for the language switch; others show their tag.
AUTONYMS = {
    "en": "English",
    "es": "Español",
    "so": "Soomaali",
    "hmn": "Hmoob",
    "fr": "Français",
    "vi": "Tiếng Việt",
    "zh": "中文",
    "ar": "العربية",
    "om": "Afaan Oromoo",
    "am": "አማርኛ",
    "kar": "Karen",
    "ru": "Русский",
}


def well_formed(tag: str) -> bool:
    """True if `tag` is a well-formed BCP 47 tag with an ISO 639 primary language subtag."""
    return bool(_LANGTAG.match(tag))


def autonym(tag: str) -> str:
    """The language's own name (`Español` for `es`, `es-MX`), else the tag itself."""
    return AUTONYMS.get(tag.lower(), AUTONYMS.get(tag.split("-")[0].lower(), tag))
