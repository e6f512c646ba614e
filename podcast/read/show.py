"""Read show.yaml into a model.Show, every problem recorded with its line."""

from __future__ import annotations

import difflib
import re
import uuid
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from podcast.errors import Problem, Severity
from podcast.model import (
    Category,
    EpisodeType,
    Owner,
    Person,
    SeasonInfo,
    Show,
    ShowType,
)
from podcast.read.paths import inside, is_file, links_outside
from podcast.read.yamlfile import Fields, read_mapping

SHOW_FILE = "show.yaml"
SHOW_KEYS = frozenset(
    "title subtitle description language author owner artwork categories explicit type "
    "copyright site hosts seasons links funding locked podcast_guid license "
    "previous_feed_url hubs pubnotify podping".split()
)
PERSON_KEYS = frozenset("name role group bio href img".split())
E = TypeVar("E", ShowType, EpisodeType)


LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$", re.IGNORECASE)


@cache
def apple_categories() -> dict[str, tuple[str, ...]]:
    """Apple's 2019 category list: category → its subcategories."""
    text = resources.files("podcast").joinpath("data/apple-categories.yaml").read_text("utf-8")
    return {name: tuple(subs or ()) for name, subs in yaml.safe_load(text).items()}


def load_show(root: Path, problems: list[Problem]) -> Show | None:
    path = root / SHOW_FILE
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
    fields = read_mapping(path, problems)
    if fields is None:
        return None
    before = len(problems)
    base_url, media_base_url = _site(fields)
    show = Show(
        source=path,
        title=fields.get("title", str, "", required=True) or "",
        subtitle=fields.get("subtitle", str, "") or "",
        description=fields.get("description", str, "", required=True) or "",
        language=_language(fields),
        author=fields.get("author", str, "", required=True) or "",
        owner=_owner(fields),
        artwork=_artwork(root, fields),
        categories=_categories(fields),
        explicit=bool(
            fields.get(
                "explicit",
                bool,
                False,
                required=True,
                hint="add 'explicit: false' (Apple requires it)",
            )
        ),
        type=read_enum(fields, "type", ShowType, ShowType.EPISODIC),
        copyright=fields.get("copyright", str, "") or "",
        base_url=base_url,
        media_base_url=media_base_url,
        hosts=tuple(read_person(f, "host") for f in fields.items("hosts")),
        seasons=_seasons(fields),
        links=_pairs(fields, "links"),
        funding=_pairs(fields, "funding"),
        locked=bool(fields.get("locked", bool, True)),
        podcast_guid=_podcast_guid(fields),
        license=fields.get("license", str),
        previous_feed_url=read_url(fields, "previous_feed_url"),
        **_push(fields),
    )
    fields.warn_unknown(SHOW_KEYS)
    has_errors = any(p.severity is Severity.ERROR for p in problems[before:])
    return None if has_errors else show


def _language(fields: Fields) -> str:
    language = fields.get("language", str, "en", required=True) or "en"
    if not LANGUAGE.match(language):
        fields.error(
            "language",
            f"'{language}' is not a language code",
            "use an ISO 639 code such as 'en' or 'en-us'",
        )
    return language.lower()


def _owner(fields: Fields) -> Owner:
    owner = fields.child("owner")
    if owner is None:
        fields.error(
            None,
            "missing required key 'owner'",
            "add 'owner: {name: …, email: …}' (Apple emails this address)",
        )
        return Owner("", "")
    email = owner.get("email", str, "", required=True) or ""
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        owner.error("email", f"'{email}' is not an email address", "write name@example.org")
    owner.warn_unknown(frozenset({"name", "email"}))
    return Owner(owner.get("name", str, "", required=True) or "", email)


def _artwork(root: Path, fields: Fields) -> Path:
    name = fields.get("artwork", str, "artwork.jpg") or "artwork.jpg"
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
    names = (
        fields.get(
            "categories",
            list,
            [],
            required=True,
            hint="add e.g. 'categories: [\"Health & Fitness > Medicine\"]'",
        )
        or []
    )
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


def read_enum(fields: Fields, key: str, kind: type[E], default: E) -> E:
    value = fields.get(key, str)
    if value is None:
        return default
    try:
        return kind(value.lower())
    except ValueError:
        choices = " or ".join(m.value for m in kind)
        fields.error(key, f"'{key}' is '{value}'", f"write {choices}")
        return default


def _site(fields: Fields) -> tuple[str | None, str | None]:
    site = fields.child("site")
    if site is None:
        return None, None
    urls = []
    for key in ("base_url", "media_base_url"):
        url = site.get(key, str)
        if url and not re.match(r"^https?://[^\s/]+", url):
            site.error(key, f"'{url}' is not an absolute http(s) URL", "write https://host/path")
            url = None
        urls.append(url.rstrip("/") if url else None)
    site.warn_unknown(frozenset({"base_url", "media_base_url"}))
    return urls[0], urls[1]


PUBNOTIFY_URL = "https://api.podcastindex.org/api/1.0/hub/pubnotify"


PODPING_URL = "https://podping.cloud/"


def _push(fields: Fields) -> dict[str, Any]:
    """WebSub hubs, Podcast Index pubnotify and Podping: `true` or an endpoint URL each."""
    hubs, listed = [], fields.raw("hubs") or []
    if not isinstance(listed, list):
        fields.error("hubs", "'hubs' should be a list of URLs", "start each hub with '- '")
        listed = []
    for index, hub in enumerate(listed):
        if isinstance(hub, str) and re.match(r"^https?://[^\s/]+", hub):
            hubs.append(hub)
        else:
            fields.error("hubs", f"hub #{index + 1} is not an http(s) URL", "write - https://…")
    return {
        "hubs": tuple(hubs),
        "pubnotify": _endpoint(fields, "pubnotify", PUBNOTIFY_URL),
        "podping": _endpoint(fields, "podping", PODPING_URL),
    }


def _endpoint(fields: Fields, key: str, default: str) -> str | None:
    """`key: true` means the public service; a URL points elsewhere (a test receiver)."""
    value = fields.raw(key)
    if value is None or value is False:
        return None
    if value is True:
        return default
    if isinstance(value, str) and re.match(r"^https?://[^\s/]+", value):
        return value
    fields.error(key, f"'{key}' should be true, false or an http(s) URL", f"write '{key}: true'")
    return None


def read_person(fields: Fields, default_role: str) -> Person:
    fields.warn_unknown(PERSON_KEYS)
    return Person(
        name=fields.get("name", str, "", required=True) or "",
        role=(fields.get("role", str, default_role) or default_role).lower(),
        group=(fields.get("group", str, "cast") or "cast").lower(),
        bio=fields.get("bio", str, "") or "",
        href=read_url(fields, "href"),
        img=read_url(fields, "img"),
    )


def _seasons(fields: Fields) -> tuple[SeasonInfo, ...]:
    seasons = fields.child("seasons")
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
        info.warn_unknown(frozenset({"title", "description"}))
        result.append(
            SeasonInfo(
                int(key), info.get("title", str, "") or "", info.get("description", str, "") or ""
            )
        )
    return tuple(sorted(result, key=lambda s: s.number))


def _pairs(fields: Fields, key: str) -> tuple[tuple[str, str], ...]:
    mapping = fields.child(key)  # a child, not a dict, so duplicate names are caught
    if mapping is None:
        return ()
    pairs = []
    for name in mapping.nodes:
        url = read_url(mapping, name)
        if url is not None:
            pairs.append((name, url))
    return tuple(pairs)


def _podcast_guid(fields: Fields) -> str | None:
    value = fields.get("podcast_guid", str)
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


def read_url(fields: Fields, key: str) -> str | None:
    """An optional http(s) URL; anything else is an error apps would trip on."""
    url = fields.get(key, str)
    if url and not re.match(r"^https?://[^\s/]+", url):
        fields.error(key, f"'{key}' is not an absolute http(s) URL: {url}", "write https://…")
        return None
    return url
