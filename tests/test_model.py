"""The model's shared text rules, checked over every code point."""

from podcast.model import XML_FORBIDDEN


def _forbidden(code: int) -> bool:
    """XML 1.0's Char production, and the characters it asks authors to avoid (§2.2)."""
    return (
        (code < 0x20 and code not in (0x09, 0x0A, 0x0D))
        or 0x7F <= code <= 0x9F  # DEL and the C1 controls
        or 0xD800 <= code <= 0xDFFF  # surrogates, never characters on their own
        or 0xFDD0 <= code <= 0xFDEF  # non-characters
        or code & 0xFFFE == 0xFFFE  # the last two of every plane
    )


def test_xml_forbidden_matches_exactly_the_characters_xml_refuses_or_discourages() -> None:
    every = "".join(map(chr, range(0x110000)))
    expected = [chr(code) for code in range(0x110000) if _forbidden(code)]
    assert XML_FORBIDDEN.findall(every) == expected
    # 29 C0 controls (tab, LF and CR are text), 33 DEL and C1, 2,048 surrogates,
    # 32 non-characters U+FDD0-U+FDEF and the 34 ends of the 17 planes
    assert len(expected) == 29 + 33 + 2048 + 32 + 34
