"""feedgen extensions for what its podcast extension lacks.

feedgen writes itunes:explicit only as yes/no/clean; Apple's current rules want true/false.
"""

from __future__ import annotations

from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def _explicit(parent: Any, explicit: bool | None) -> None:
    if explicit is not None:
        xml_elem(f"{{{ITUNES_NS}}}explicit", parent).text = "true" if explicit else "false"


class ItunesExtras(BaseExtension):  # type: ignore[misc]
    """Channel-level itunes tags written the way Apple asks today."""

    def __init__(self) -> None:
        self.explicit: bool | None = None

    def extend_ns(self) -> dict[str, str]:
        """The itunes namespace prefix."""
        return {"itunes": ITUNES_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        """Append the tags to the channel."""
        _explicit(rss_feed[0], self.explicit)
        return rss_feed


class ItunesEntryExtras(BaseEntryExtension):  # type: ignore[misc]
    """Item-level itunes tags written the way Apple asks today."""

    def __init__(self) -> None:
        self.explicit: bool | None = None

    def extend_rss(self, entry: Any) -> Any:
        """Append the tags to the item."""
        _explicit(entry, self.explicit)
        return entry
