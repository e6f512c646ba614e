"""Subscribe buttons: the show's `links` from show.yaml, with the feed's address filled in."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from podcast.model import Show

# show.yaml key → the app's name as listeners know it; unknown keys are title-cased.
LABELS = {
    "apple": "Apple Podcasts",
    "apple_podcasts": "Apple Podcasts",
    "spotify": "Spotify",
    "pocket_casts": "Pocket Casts",
    "pocketcasts": "Pocket Casts",
    "overcast": "Overcast",
    "antennapod": "AntennaPod",
    "podcast_addict": "Podcast Addict",
    "castro": "Castro",
    "youtube_music": "YouTube Music",
    "amazon_music": "Amazon Music",
    "podcast_index": "Podcast Index",
    "player_fm": "Player FM",
}
NOT_APPS = frozenset({"website", "homepage"})  # linked in the footer, not as a subscribe button


@dataclass(frozen=True, slots=True)
class SubscribeLink:
    """One "listen in app X" button."""

    key: str
    label: str
    href: str


def subscribe_links(show: Show, feed_url: str) -> tuple[SubscribeLink, ...]:
    """The show's app links in show.yaml order, `{feed}` and `{title}` URL-encoded in place."""
    return tuple(
        SubscribeLink(
            key, LABELS.get(key, key.replace("_", " ").title()), fill(href, feed_url, show.title)
        )
        for key, href in show.links
        if key not in NOT_APPS
    )


def website(show: Show) -> str | None:
    """The show's or its publisher's own website, if show.yaml names one."""
    return next((href for key, href in show.links if key in NOT_APPS), None)


def fill(href: str, feed_url: str, title: str) -> str:
    """`href` with its `{feed}` and `{title}` placeholders replaced by encoded values."""
    encoded = {"{feed}": quote(feed_url, safe=""), "{title}": quote(title, safe="")}
    for placeholder, value in encoded.items():
        href = href.replace(placeholder, value)
    return href


def apple_podcasts_url(feed_url: str) -> str | None:
    """The `podcast://` form of the feed, which iOS and macOS open in Apple Podcasts.

    It needs no directory listing: Apple Podcasts subscribes to the feed itself. The scheme
    replaces `https://` (Apple's app fetches the feed over HTTPS). None for a feed address
    that is not a plain http(s) URL with a host, which no app could subscribe to anyway.
    """
    parts = urlsplit(feed_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return "podcast://" + feed_url.split("://", 1)[1]
