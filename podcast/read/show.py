"""Read show.yaml into a model.Show, every problem recorded with its line."""

from __future__ import annotations

import difflib
import re
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from podcast.errors import Problem, Severity
from podcast.files import package_file
from podcast.model import (
    Category,
    Owner,
    Person,
    SeasonInfo,
    Show,
)
from podcast.read import schema, when
from podcast.read.paths import inside, is_file, links_outside
from podcast.read.yamlfile import Fields, read_mapping, safe_load

SHOW_FILE = "show.yaml"
K, P, S = schema.ShowKeys, schema.PersonKeys, schema.SeasonKeys
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$", re.IGNORECASE)


@cache
def apple_categories() -> dict[str, tuple[str, ...]]:
    """Apple's 2019 category list: category → its subcategories."""
    text = package_file("data/apple-categories.yaml").read_text("utf-8")
    return {name: tuple(subs or ()) for name, subs in safe_load(text).items()}


def load_show(root: Path, problems: list[Problem]) -> Show | None:
    """show.yaml under `root` as a Show, or None when it has errors (listed in `problems`)."""
    path = root / SHOW_FILE
    fields = _show_fields(root, path, problems)
    if fields is None:
        return None
    before = len(problems)
    base_url, media_base_url = _site(fields)
    show = Show(
        source=path,
        title=K.title.read(fields),
        subtitle=K.subtitle.read(fields),
        description=K.description.read(fields),
        language=_language(fields),
        author=K.author.read(fields),
        owner=_owner(fields),
        artwork=_artwork(root, fields),
        categories=_categories(fields),
        explicit=K.explicit.read(fields),
        type=K.type.read(fields),
        copyright=K.copyright.read(fields),
        base_url=base_url,
        media_base_url=media_base_url,
        hosts=tuple(read_person(f, "host") for f in K.hosts.items(fields)),
        seasons=_seasons(fields),
        links=_pairs(fields, K.links),
        funding=_pairs(fields, K.funding),
        locked=K.locked.read(fields),
        podcast_guid=_podcast_guid(fields),
        license=K.license.read(fields),
        previous_feed_url=K.previous_feed_url.read(fields),
        low_bandwidth=K.low_bandwidth.read(fields),
        timezone=when.show_zone(fields),
        release_hour=when.show_release_hour(fields),
        **_push(fields),
        feed_max_items=_feed_max_items(fields),
        encode=_encode(fields),
        lines=fields.key_lines(),
    )
    K.warn_unknown(fields)
    has_errors = any(p.severity is Severity.ERROR for p in problems[before:])
    return None if has_errors else show


def _show_fields(root: Path, path: Path, problems: list[Problem]) -> Fields | None:
    """show.yaml's keys, or None with a problem when the folder or the file is missing."""
    if not root.is_dir():
        problems.append(
            Problem(
                root,
                None,
                "the episodes folder does not exist",
                "create it, or point --root at the right folder",
            )
        )
        return None
    if not path.exists() and not path.is_symlink():
        problems.append(
            Problem(
                path,
                None,
                "show.yaml is missing",
                "create show.yaml with the show's title, description and owner",
            )
        )
        return None
    if links_outside(root, path, problems):
        return None
    return read_mapping(path, problems)


def _encode(fields: Fields) -> str | None:
    """The format `add` encodes masters into: mp3, aac, or None (masters are refused)."""
    value = (K.encode.read(fields) or "").strip().lower()
    if value in ("", "mp3", "aac"):
        return value or None
    fields.error("encode", f"'encode' is '{value}'", "write mp3 or aac, or leave it out")
    return None


def _language(fields: Fields) -> str:
    language = K.language.read(fields)
    if not LANGUAGE.match(language):
        fields.error(
            "language",
            f"'{language}' is not a language code",
            "use an ISO 639 code such as 'en' or 'en-us'",
        )
    return language.lower()


def _owner(fields: Fields) -> Owner:
    owner = K.owner.child(fields)
    if owner is None:
        K.owner.missing(fields)
        return Owner("", "")
    email = schema.OwnerKeys.email.read(owner)
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        owner.error("email", f"'{email}' is not an email address", "write name@example.org")
    schema.OwnerKeys.warn_unknown(owner)
    return Owner(schema.OwnerKeys.name.read(owner), email)


def _artwork(root: Path, fields: Fields) -> Path:
    name = K.artwork.read(fields)
    path = inside(root, root, name)
    if path is None:
        fields.error(
            "artwork",
            f"artwork '{name}' is outside the episodes folder",
            "put the image in the episodes folder",
        )
        return root / "artwork.jpg"
    if not is_file(path):
        fields.error(
            "artwork" if fields.has("artwork") else None,
            f"artwork file '{name}' is missing",
            "add a square JPEG or PNG of 1400–3000 px named artwork.jpg",
        )
    return path


def _categories(fields: Fields) -> tuple[Category, ...]:
    names = K.categories.read(fields)
    known = apple_categories()
    result = []
    for text in names:
        if not isinstance(text, str):  # str() of a nested value could be huge
            fields.error(
                "categories",
                "each category should be text",
                "write e.g. 'categories: [\"Health & Fitness > Medicine\"]'",
            )
            continue
        name, _, sub = text.partition(">")
        category = Category(name.strip(), sub.strip() or None)
        if category.name not in known:
            close = difflib.get_close_matches(category.name, list(known), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "pick one from Apple's list"
            fields.error("categories", f"'{category.name}' is not an Apple Podcasts category", hint)
        elif category.sub and category.sub not in known[category.name]:
            subs = ", ".join(known[category.name]) or "none"
            fields.error(
                "categories",
                f"'{category.sub}' is not a subcategory of '{category.name}'",
                f"choose one of: {subs}",
            )
        result.append(category)
    return tuple(result)


def _site(fields: Fields) -> tuple[str | None, str | None]:
    site = K.site.child(fields)
    if site is None:
        return None, None
    urls = []
    for key in (schema.SiteKeys.base_url, schema.SiteKeys.media_base_url):
        url = key.read(site)
        if url and not schema.HTTP_URL.match(url):
            site.error(
                key.name, f"'{url}' is not an absolute http(s) URL", "write https://host/path"
            )
            url = None
        urls.append(url.rstrip("/") if url else None)
    schema.SiteKeys.warn_unknown(site)
    return urls[0], urls[1]


PUBNOTIFY_URL = "https://api.podcastindex.org/api/1.0/hub/pubnotify"


PODPING_URL = "https://podping.cloud/"


def _push(fields: Fields) -> dict[str, Any]:
    """WebSub hubs, Podcast Index pubnotify and Podping: `true` or an endpoint URL each."""
    hubs, listed = [], K.hubs.read(fields) or []
    if not isinstance(listed, list):
        fields.error("hubs", "'hubs' should be a list of URLs", "start each hub with '- '")
        listed = []
    for index, hub in enumerate(listed):
        if isinstance(hub, str) and schema.HTTP_URL.match(hub):
            hubs.append(hub)
        else:
            fields.error("hubs", f"hub #{index + 1} is not an http(s) URL", "write - https://…")
    return {
        "hubs": tuple(hubs),
        "pubnotify": _endpoint(fields, K.pubnotify, PUBNOTIFY_URL),
        "podping": _endpoint(fields, K.podping, PODPING_URL),
    }


def _endpoint(fields: Fields, spec: schema.Raw, default: str) -> str | None:
    """`key: true` means the public service; a URL points elsewhere (a test receiver)."""
    key, value = spec.name, spec.read(fields)
    if value is None or value is False:
        return None
    if value is True:
        return default
    if isinstance(value, str) and schema.HTTP_URL.match(value):
        return value
    fields.error(key, f"'{key}' should be true, false or an http(s) URL", f"write '{key}: true'")
    return None


def read_person(fields: Fields, default_role: str) -> Person:
    """A host or guest; `default_role` when the entry names none."""
    P.warn_unknown(fields)
    return Person(
        name=P.name.read(fields),
        role=P.role.read(fields, default=default_role).lower(),
        group=P.group.read(fields).lower(),
        bio=P.bio.read(fields),
        href=P.href.read(fields),
        img=P.img.read(fields),
    )


def _seasons(fields: Fields) -> tuple[SeasonInfo, ...]:
    seasons = K.seasons.child(fields)
    if seasons is None:
        return ()
    result = []
    for key in seasons.nodes:
        if not re.fullmatch(r"[0-9]{1,6}", key):
            seasons.error(key, f"season '{key}' should be a number", "write '1:', '2:', …")
            continue
        info = seasons.child(key)
        if info is None:
            continue
        S.warn_unknown(info)
        result.append(SeasonInfo(int(key), S.title.read(info), S.description.read(info)))
    return tuple(sorted(result, key=lambda s: s.number))


def _pairs(fields: Fields, section: schema.Section) -> tuple[tuple[str, str], ...]:
    mapping = section.child(fields)  # a child, not a dict, so duplicate names are caught
    if mapping is None:
        return ()
    pairs = []
    for name in mapping.nodes:
        url = schema.http_url(mapping, name)
        if url is not None:
            pairs.append((name, url))
    return tuple(pairs)


def _feed_max_items(fields: Fields) -> int | None:
    """How many of the newest episodes the feed lists (`feed_max_items: 300`); None: all."""
    count = K.feed_max_items.read(fields)
    if count is not None and count < 1:
        fields.error(
            K.feed_max_items.name,
            f"'feed_max_items' must be at least 1, not {count}",
            "remove it to list every episode, or give how many of the newest to list",
        )
        return None
    return count


def _podcast_guid(fields: Fields) -> str | None:
    value = K.podcast_guid.read(fields)
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        fields.error(
            "podcast_guid",
            f"'{value}' is not a UUID",
            "remove the line; `podcast check` prints the right one",
        )
        return None
