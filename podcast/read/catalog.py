"""Load an episodes folder into a Catalog, collecting every problem before failing."""

from __future__ import annotations

import difflib
import os
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml

from podcast.errors import AudioError, CatalogError, Problem, Severity
from podcast.files import shipped_dir
from podcast.model import (
    Audio,
    Catalog,
    Category,
    Chapter,
    Episode,
    EpisodeType,
    Owner,
    Person,
    SeasonInfo,
    Show,
    ShowType,
    Transcript,
    double_encoded,
    newest_first,
    parse_timestamp,
    slugify,
)
from podcast.read.audio import AUDIO_EXTENSIONS, EXTENSIONS_BY_MIME, probe
from podcast.read.yamlfile import Fields, read_mapping

SHOW_FILE = "show.yaml"
TRANSCRIPT_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip"}
SHOW_KEYS = frozenset(
    "title subtitle description language author owner artwork categories explicit type "
    "copyright site hosts seasons links funding locked podcast_guid license "
    "previous_feed_url hubs pubnotify podping".split()
)
EPISODE_KEYS = frozenset(
    "title season episode published type guid summary notes explicit audio transcript "
    "chapters guests image".split()
)
PERSON_KEYS = frozenset("name role group bio href img".split())
CHAPTER_KEYS = frozenset("start title url image".split())
CHAPTER_IMAGES = frozenset({".jpg", ".jpeg", ".png"})
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$", re.IGNORECASE)
# Before 1970 there were no podcasts (nor Unix time); past 2200 is a typo, and years near
# 1 or 9999 overflow as soon as a time zone is applied.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200
SEASON_DIR = re.compile(r"^season-?(\d+)$", re.IGNORECASE)

Prober = Callable[[Path], Audio]
E = TypeVar("E", ShowType, EpisodeType)


def default_root() -> Path:
    """The show shipped with the package (the repo's episodes/ folder)."""
    return shipped_dir("episodes")


@cache
def apple_categories() -> dict[str, tuple[str, ...]]:
    """Apple's 2019 category list: category → its subcategories."""
    text = resources.files("podcast").joinpath("data/apple-categories.yaml").read_text("utf-8")
    return {name: tuple(subs or ()) for name, subs in yaml.safe_load(text).items()}


class EpisodeMemo(Protocol):
    """Remembers loaded episodes, so a reload skips files that did not change (read.probe_cache)."""

    def recall(
        self, path: Path, show: Show | None, problems: list[Problem]
    ) -> tuple[Episode, Fields] | None:
        """The episode loaded earlier from `path`, if none of its files changed since."""

    def remember(
        self, path: Path, show: Show | None, loaded: tuple[Episode, Fields], problems: list[Problem]
    ) -> None:
        """Keep what loading `path` gave, with the problems it reported."""


def load(root: Path, prober: Prober = probe, memo: EpisodeMemo | None = None) -> Catalog:
    """Read show.yaml and every episode under `root`; raise CatalogError listing every error."""
    root = Path(root).absolute()
    _siblings.cache_clear()  # folder listings are only valid for one load
    problems: list[Problem] = []
    show = _load_show(root, problems)
    loaded = [_episode(p, root, show, problems, prober, memo) for p in episode_files(root)]
    found = [pair for pair in loaded if pair is not None]
    _check_unique(found, problems)
    episodes = [episode for episode, _ in found]
    warnings = tuple(p for p in problems if p.severity is Severity.WARNING)
    if show is None or any(p.severity is Severity.ERROR for p in problems):
        partial = None if show is None else Catalog(root, show, newest_first(episodes), warnings)
        raise CatalogError(problems, partial)  # every error, and what loaded despite them
    return Catalog(root=root, show=show, episodes=newest_first(episodes), warnings=warnings)


def episode_files(root: Path) -> list[Path]:
    """Episode YAML files: `*.yaml` in the folders directly under root (hidden ones skipped)."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for folder in root.iterdir()
        if folder.is_dir() and not folder.name.startswith(".")
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")
    )


# --- show.yaml ---------------------------------------------------------------------------


def _load_show(root: Path, problems: list[Problem]) -> Show | None:
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
    if _links_outside(root, path, problems):
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
        type=_enum(fields, "type", ShowType, ShowType.EPISODIC),
        copyright=fields.get("copyright", str, "") or "",
        base_url=base_url,
        media_base_url=media_base_url,
        hosts=tuple(_person(f, "host") for f in fields.items("hosts")),
        seasons=_seasons(fields),
        links=_pairs(fields, "links"),
        funding=_pairs(fields, "funding"),
        locked=bool(fields.get("locked", bool, True)),
        podcast_guid=_podcast_guid(fields),
        license=fields.get("license", str),
        previous_feed_url=_url(fields, "previous_feed_url"),
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
    path = _inside(root, root, name)
    if path is None:
        fields.error(
            "artwork",
            f"artwork '{name}' is outside the episodes folder",
            "put the image in the episodes folder",
        )
        return root / "artwork.jpg"
    if not _is_file(path):
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


def _enum(fields: Fields, key: str, kind: type[E], default: E) -> E:
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


def _person(fields: Fields, default_role: str) -> Person:
    fields.warn_unknown(PERSON_KEYS)
    return Person(
        name=fields.get("name", str, "", required=True) or "",
        role=(fields.get("role", str, default_role) or default_role).lower(),
        group=(fields.get("group", str, "cast") or "cast").lower(),
        bio=fields.get("bio", str, "") or "",
        href=_url(fields, "href"),
        img=_url(fields, "img"),
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
        url = _url(mapping, name)
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


# --- episodes ----------------------------------------------------------------------------


def _episode(
    path: Path,
    root: Path,
    show: Show | None,
    problems: list[Problem],
    prober: Prober,
    memo: EpisodeMemo | None,
) -> tuple[Episode, Fields] | None:
    """One episode: from `memo` when its files are unchanged, else read and remembered."""
    if memo is None:
        loaded = _load_episode(path, root, show, problems, prober)
        return None if loaded is None else (loaded[0], loaded[1].lines_only())
    recalled = memo.recall(path, show, problems)
    if recalled is not None:
        return recalled
    before = len(problems)
    loaded = _load_episode(path, root, show, problems, prober)
    if loaded is not None:
        loaded = (loaded[0], loaded[1].lines_only())
        memo.remember(path, show, loaded, problems[before:])
    return loaded


def _load_episode(
    path: Path, root: Path, show: Show | None, problems: list[Problem], prober: Prober
) -> tuple[Episode, Fields] | None:
    if _links_outside(root, path, problems):
        return None
    fields = read_mapping(path, problems)
    if fields is None:
        return None
    before = len(problems)
    season = _season(path, fields)
    number = fields.get("episode", int)
    if number is not None and number < 1:
        fields.error("episode", "'episode' should be 1 or more", "number episodes from 1")
    kind = _enum(fields, "type", EpisodeType, EpisodeType.FULL)
    guid = (
        fields.get(
            "guid", str, "", required=True, hint=f"add 'guid: {uuid.uuid4()}' and never change it"
        )
        or ""
    )
    if double_encoded(guid) is not None:  # apps would disagree on which episode this is
        fields.error(
            "guid",
            "the guid reads differently in different podcast apps (it looks "
            "like text decoded twice)",
            "use an ASCII guid, e.g. a UUID",
        )
    published = _published(fields)
    audio = _audio(path, root, fields, problems, prober)
    language = show.language if show else "en"
    episode_fields = dict(
        title=fields.get("title", str, "", required=True) or "",
        summary=fields.get("summary", str, "") or "",
        notes=fields.get("notes", str, "") or "",
        explicit=fields.get("explicit", bool),
        guests=tuple(_person(f, "guest") for f in fields.items("guests")),
        chapters=_chapters(fields, root),
        transcript=_transcript(path, root, fields, language),
        image=_image(path, root, fields),
    )
    fields.warn_unknown(EPISODE_KEYS)
    if (
        audio is None
        or published is None
        or season is None
        or any(p.severity is Severity.ERROR for p in problems[before:])
    ):
        return None
    episode = Episode(
        source=path,
        slug=slugify(f"s{season}-{path.stem}"),
        season=season,
        number=number,
        type=kind,
        guid=guid,
        published=published,
        audio=audio,
        **episode_fields,  # type: ignore[arg-type]
    )
    return episode, fields


def _season(path: Path, fields: Fields) -> int | None:
    season = fields.get("season", int)
    folder = SEASON_DIR.match(path.parent.name)
    if season is None and folder:
        return int(folder.group(1))
    if season is None:
        if not fields.has("season"):
            fields.error(None, "missing required key 'season'", "add 'season: 1'")
        return None
    if season < 1:
        fields.error("season", "'season' should be 1 or more", "number seasons from 1")
        return None
    if folder and int(folder.group(1)) != season:
        fields.warn(
            "season",
            f"season {season} is in folder '{path.parent.name}'",
            "move the file to its season's folder, or fix 'season'",
        )
    return season


def _published(fields: Fields) -> datetime | None:
    if not fields.has("published"):
        fields.error(
            None,
            "missing required key 'published'",
            "add e.g. 'published: 2024-05-01T06:00:00-05:00'",
        )
        return None
    try:
        value = fields.raw("published")
    except (ValueError, OverflowError) as exc:
        fields.error(
            "published", f"'published' is not a real date ({exc})", "check the day and month"
        )
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            fields.error(
                "published",
                f"'published' is not an ISO 8601 date and time: {value!r}",
                "write e.g. 2024-05-01T06:00:00-05:00",
            )
            return None
    if isinstance(value, date) and not isinstance(value, datetime):
        fields.error(
            "published",
            "'published' has a date but no time and zone",
            f"write e.g. {value.isoformat()}T06:00:00-05:00",
        )
        return None
    if not isinstance(value, datetime):
        fields.error(
            "published",
            "'published' should be a date and time",
            "write e.g. 2024-05-01T06:00:00-05:00",
        )
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        fields.error(
            "published",
            "'published' has no time zone, so apps would guess the hour",
            f"add the zone, e.g. {value.isoformat()}-05:00 or {value.isoformat()}Z",
        )
        return None
    try:  # far-off years with a zone overflow datetime once converted to UTC
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST_YEAR <= utc.year <= LATEST_YEAR:
        fields.error(
            "published",
            f"'published' is in the year {value.year}",
            f"check the year: it should be between {EARLIEST_YEAR} and {LATEST_YEAR}",
        )
        return None
    if value.year < 2000:
        fields.warn("published", f"'published' is in {value.year}", "check the year")
    return value


def _links_outside(root: Path, path: Path, problems: list[Problem]) -> bool:
    """True (with a problem) when a YAML file is a link, or in a linked folder, leading outside."""
    if _inside(root, path.parent, path.name) is not None:
        return False
    problems.append(
        Problem(
            path,
            None,
            "this file (or its folder) is a link to a place outside the episodes folder",
            "copy the file into the episodes folder instead of linking to it",
        )
    )
    return True


def _is_file(path: Path) -> bool:
    """Path.is_file that says False, not raises, for names the OS refuses (too long, …)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _inside(root: Path, base: Path, name: str) -> Path | None:
    """`base/name` if it resolves inside root (symlinks included), else None."""
    candidate = base / name
    try:
        resolved = candidate.resolve()
        return candidate if resolved.is_relative_to(root.resolve()) else None
    except (OSError, RuntimeError, ValueError):
        return None


def _audio(
    path: Path, root: Path, fields: Fields, problems: list[Problem], prober: Prober
) -> Audio | None:
    before = len(problems)
    audio_path = _referenced(path, root, fields, "audio", AUDIO_EXTENSIONS)
    if audio_path is None:
        if len(problems) == before and not fields.has("audio"):
            fields.error(
                None,
                f"no audio file found for {path.name}",
                f"put {path.stem}.mp3 (or .m4a) beside it, or add 'audio: file.mp3'",
            )
        return None
    try:
        audio = prober(audio_path)
    except AudioError as exc:
        problems.append(Problem(exc.path, None, exc.message, exc.hint))
        return None
    if audio_path.suffix.lower() not in EXTENSIONS_BY_MIME[audio.mime]:
        problems.append(
            Problem(
                audio_path,
                None,
                f"the file is {audio.mime} but named '{audio_path.suffix}'",
                "export it in the format its name says (`podcast add` refuses it too)",
            )
        )
    if audio.vbr_without_header:
        problems.append(
            Problem(
                audio_path,
                None,
                "VBR MP3 without a Xing/VBRI header: apps estimate its duration and seek badly",
                "re-export as CBR, or with a Xing header (LAME writes one)",
                Severity.WARNING,
            )
        )
    return audio


def _referenced(
    path: Path, root: Path, fields: Fields, key: str, extensions: frozenset[str] | set[str]
) -> Path | None:
    """The file named by `key`, kept inside root, or the same-stem file beside the YAML."""
    name = fields.get(key, str)
    if name:
        found = _inside(root, path.parent, name)
        if found is None:
            fields.error(
                key,
                f"'{key}' points outside the episodes folder: {name}",
                "keep the file inside the episodes folder",
            )
        elif not _is_file(found):
            fields.error(
                key, f"{key} file '{name}' does not exist", "check the file name and its folder"
            )
            return None
        return found
    for name in _siblings(path.parent).get(path.stem, ()):
        candidate = path.parent / name
        if candidate.suffix.lower() not in extensions:
            continue
        if _inside(root, path.parent, candidate.name) is None:
            fields.error(
                None,
                f"{candidate.name} is a link to a place outside the episodes folder",
                "copy the file into the episodes folder instead of linking",
            )
            return None
        if not _is_file(candidate):  # a pipe would hang whoever reads it (a page, the feed)
            fields.error(
                None,
                f"{candidate.name} is not a regular file (a folder, pipe or device)",
                "replace it with the exported file",
            )
            return None
        return candidate
    return None


@cache
def _siblings(folder: Path) -> dict[str, tuple[str, ...]]:
    """File names in `folder` by stem, sorted; listed once per load (see `load`).

    Globbing the folder for each episode made loading quadratic in the season's size.
    """
    by_stem: dict[str, list[str]] = {}
    for name in sorted(os.listdir(folder)):
        by_stem.setdefault(name.rsplit(".", 1)[0] if "." in name[1:] else name, []).append(name)
    return {stem: tuple(names) for stem, names in by_stem.items()}


def _transcript(path: Path, root: Path, fields: Fields, language: str) -> Transcript | None:
    found = _referenced(path, root, fields, "transcript", set(TRANSCRIPT_TYPES))
    if found is None:
        return None
    mime = TRANSCRIPT_TYPES.get(found.suffix.lower())
    if mime is None:
        fields.error(
            "transcript",
            f"transcript '{found.name}' is not WebVTT or SRT",
            "use a .vtt or .srt file",
        )
        return None
    return Transcript(found, mime, language)


def _image(path: Path, root: Path, fields: Fields) -> Path | None:
    return (
        _referenced(path, root, fields, "image", {".jpg", ".jpeg", ".png"})
        if fields.has("image")
        else None
    )


def _chapters(fields: Fields, root: Path) -> tuple[Chapter, ...]:
    chapters = []
    for item in fields.items("chapters"):
        item.warn_unknown(CHAPTER_KEYS)
        start = _chapter_start(item)
        title = item.get("title", str, "", required=True) or ""
        url = _url(item, "url")
        if start is not None:
            chapters.append(Chapter(start, title, url, _chapter_image(item, root)))
    return tuple(chapters)


def _chapter_image(item: Fields, root: Path) -> str | Path | None:
    """An http(s) URL as written, or an image file beside the YAML (kept inside root)."""
    name = item.get("image", str)
    if not name:
        return None
    if re.match(r"^https?://", name):
        return name
    found = _inside(root, item.path.parent, name)
    if found is None or not _is_file(found) or found.suffix.lower() not in CHAPTER_IMAGES:
        item.error(
            "image",
            f"chapter image '{name}' is not a JPEG or PNG file in the episodes folder",
            "put the image beside the episode, or use an https:// URL",
        )
        return None
    return found


def _url(fields: Fields, key: str) -> str | None:
    """An optional http(s) URL; anything else is an error apps would trip on."""
    url = fields.get(key, str)
    if url and not re.match(r"^https?://[^\s/]+", url):
        fields.error(key, f"'{key}' is not an absolute http(s) URL: {url}", "write https://…")
        return None
    return url


def _chapter_start(item: Fields) -> timedelta | None:
    if not item.has("start"):
        item.error(None, "chapter without 'start'", "add 'start: \"00:00:00\"'")
        return None
    try:
        value = item.raw("start")
    except (ValueError, OverflowError, yaml.YAMLError):
        value = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:  # YAML 1.1 reads 01:30 as 90 (sexagesimal)
            return _chapter_offset(timedelta(seconds=value))
        except (ValueError, OverflowError):
            pass
    elif isinstance(value, str):
        try:
            return _chapter_offset(parse_timestamp(value))
        except (ValueError, OverflowError):
            pass
    item.error("start", "the chapter's start is not a time", 'write it quoted as "HH:MM:SS"')
    return None


def _chapter_offset(start: timedelta) -> timedelta:
    if not timedelta(0) <= start < timedelta(days=1):
        raise ValueError("a chapter starts within the first day")
    return start


def _check_unique(found: list[tuple[Episode, Fields]], problems: list[Problem]) -> None:
    """Guids, (season, number), slugs and audio files must each belong to one episode."""
    keys: list[tuple[str, str | None, Callable[[Episode], object], str]] = [
        (
            "guid",
            "guid",
            lambda e: e.guid,
            "give each episode its own guid; never change a published one",
        ),
        (
            "season and episode number",
            "episode",
            lambda e: (e.season, e.number) if e.number else None,
            "renumber one of them",
        ),
        (
            "audio file",
            "audio",
            lambda e: _file_id(e.audio.path),
            "give each episode its own audio",
        ),
        ("page address", None, lambda e: e.slug, "rename one of the files"),
    ]
    in_order = sorted(found, key=lambda pair: str(pair[0].source))
    for what, field_name, key, hint in keys:
        seen: dict[object, Episode] = {}
        for episode, fields in in_order:
            value = key(episode)
            if value is None:
                continue
            if value in seen:
                fields.error(
                    field_name, f"duplicate {what}: also used by {seen[value].source}", hint
                )
            else:
                seen[value] = episode


def _file_id(path: Path) -> object:
    """The file itself, whatever links lead to it: one stat instead of resolving each folder."""
    try:
        stat = path.stat()
    except OSError:
        return path.resolve()
    return (stat.st_dev, stat.st_ino)
