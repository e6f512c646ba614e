"""Deploy the built site to a target in the order podcast apps need, uploading only what changed.

The site is built with `podcast build`'s own code into a staging folder, every file is hashed
(sha256), and the hashes are compared with the manifest the last deploy left in the target:
timestamps are never trusted. Media (audio, images, transcripts, chapters) go first, pages
second, feeds last, so a live feed never points at a missing object; any failure stops before
the feed. Deletions come after the feed is live, capped, and never touch audio the new feed
still lists. The manifest is written last, so an interrupted deploy is finished by a re-run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from io import BufferedReader
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from podcast.errors import PodcastError
from podcast.files import cache_dir, write_atomic
from podcast.publish import build as export
from podcast.publish.targets import MANIFEST, Headers, Target, UploadError
from podcast.site.app import DEFAULTS

MANIFEST_FORMAT = 1
DEFAULT_MAX_DELETES = 10
PARALLEL_FILES = 4  # files in flight at once within one phase
AUDIO_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
}
MEDIA_TYPES = {
    **AUDIO_TYPES,
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
}
PAGE_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".ico": "image/x-icon",
}
FEED_TYPE = "application/rss+xml; charset=utf-8"
CHAPTERS_TYPE = "application/json+chapters"
SKIPPED = frozenset({export.MARKER, MANIFEST})


class DeployError(PodcastError):
    """A deploy that stopped; the feed that was live stays live."""


class Kind(IntEnum):
    """The upload phases, in order."""

    MEDIA = 1
    PAGE = 2
    FEED = 3


@dataclass(frozen=True, slots=True)
class Item:
    """One file of the built site."""

    key: str
    source: Path
    size: int
    sha256: str
    kind: Kind
    headers: Headers


@dataclass
class Plan:
    """What a deploy will do."""

    items: dict[str, Item]
    uploads: list[tuple[Item, str]]  # (item, reason)
    deletions: list[str]
    held: list[tuple[str, str]]  # (key, why it is kept)
    untouched: int
    previous: dict[str, Any]

    @property
    def upload_bytes(self) -> int:
        """Bytes the uploads will send."""
        return sum(item.size for item, _ in self.uploads)


@dataclass
class Result:
    """What a deploy did, in the order it happened."""

    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """Cache-Control per kind, from the feed max-age the live server sends."""

    feed_max_age: int = int(DEFAULTS["FEED_MAX_AGE"])

    def for_item(self, key: str, content_type: str) -> str:
        """Feeds, pages and files: the feed max-age; audio is revalidated on every request."""
        if content_type in AUDIO_TYPES.values():
            # a CDN may keep the bytes but must ask the bucket (a 304 is cheap) before serving
            # them, so replaced audio never disagrees with the new feed's length
            return "public, max-age=0, must-revalidate"
        return f"public, max-age={self.feed_max_age}"


def stage(root: Path, staging: Path, base_url: str, media_base_url: str | None) -> Path:
    """Build the site into `staging` with the code and settings of `podcast build`."""
    from podcast.site.app import create_app

    state = export.folder_state(root, base_url, media_base_url)
    if export.up_to_date(staging, state, datetime.now(UTC)) is not None:
        return staging  # built from exactly these files already
    app = create_app(
        {
            "EPISODES_ROOT": root,
            "BASE_URL": base_url,
            "MEDIA_BASE_URL": media_base_url,
            "RELOAD_INTERVAL": None,
        }
    )
    export.build(app, staging, base_url, state=state)
    return staging


def staging_folder(target: str) -> Path:
    """A per-target folder in the user's cache directory for the built site."""
    return cache_dir("deploy", target)


def scan(site: Path, policy: CachePolicy, hashes: Path | None = None) -> dict[str, Item]:
    """Every file of the built site with its hash, kind and headers.

    With `hashes` (a file kept beside the staging folder), a file whose size, inode and mtime
    are those recorded there keeps its recorded sha256: the incremental build hard-links what
    did not change, so a no-change deploy reads none of the audio again.
    """
    known = _known_hashes(hashes)
    items, seen = {}, {}
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.name in SKIPPED:
            continue
        key = path.relative_to(site).as_posix()
        stat = path.stat()
        stamp = f"{stat.st_size}:{stat.st_ino}:{stat.st_mtime_ns}"
        with path.open("rb") as handle:
            head = handle.read(512)
            digest = known.get(key, {}).get(stamp) or _sha256(handle)
        seen[key] = {stamp: digest}
        kind, content_type = classify(key, head)
        headers = Headers(content_type, policy.for_item(key, content_type))
        items[key] = Item(key, path, stat.st_size, digest, kind, headers)
    if hashes is not None:
        with contextlib.suppress(OSError):  # without it the next deploy only reads more
            write_atomic(hashes, json.dumps(seen, separators=(",", ":")).encode())
    return items


def _sha256(handle: BufferedReader) -> str:
    handle.seek(0)
    return hashlib.file_digest(handle, "sha256").hexdigest()


def _known_hashes(hashes: Path | None) -> dict[str, dict[str, str]]:
    try:
        found = json.loads(hashes.read_bytes()) if hashes is not None else {}
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def hashes_file(staging: Path) -> Path:
    """Where the hashes of a staging folder's files are kept (beside it, not in it)."""
    return staging.with_name(staging.name + ".sha256.json")


def classify(key: str, head: bytes) -> tuple[Kind, str]:
    """The phase and exact Content-Type of a file, from its name (and an XML file's root)."""
    name = PurePosixPath(key).name
    suffix = PurePosixPath(key).suffix.lower()
    if name == "chapters.json" or name.endswith(".chapters.json"):
        return Kind.MEDIA, CHAPTERS_TYPE
    if suffix in MEDIA_TYPES:
        return Kind.MEDIA, MEDIA_TYPES[suffix]
    if suffix == ".xml" and b"<rss" in head:
        return Kind.FEED, FEED_TYPE
    return Kind.PAGE, PAGE_TYPES.get(suffix, "application/octet-stream")


def make_plan(items: dict[str, Item], manifest: bytes | None, max_deletes: int) -> Plan:
    """Compare the built site with the target's manifest."""
    previous = _files(manifest)
    uploads = []
    for key, item in items.items():
        known = previous.get(key)
        if known is None:
            uploads.append((item, "new"))
        elif known.get("sha256") != item.sha256:
            uploads.append((item, "changed"))
    uploads.sort(key=lambda pair: (pair[0].kind, pair[0].key))
    gone = sorted(set(previous) - set(items))
    in_feed = enclosures(item for item in items.values() if item.kind is Kind.FEED)
    held = [(key, "audio still in the feed") for key in gone if key in in_feed]
    deletions = [key for key in gone if key not in in_feed]
    if len(deletions) > max_deletes:
        why = f"{len(deletions)} deletions exceed --max-deletes {max_deletes}"
        held += [(key, why) for key in deletions]
        deletions = []
    untouched = len(items) - len(uploads)
    return Plan(items, uploads, deletions, held, untouched, previous)


def _files(manifest: bytes | None) -> dict[str, Any]:
    if manifest is None:
        return {}
    try:
        data = json.loads(manifest)
        files = data["files"] if data.get("format") == MANIFEST_FORMAT else None
    except (ValueError, TypeError, KeyError, AttributeError):
        files = None
    if not isinstance(files, dict):
        raise DeployError(
            f"{MANIFEST} in the target is not one this version wrote; "
            "remove it to upload everything again"
        )
    return files


def enclosures(feeds: Iterable[Item]) -> dict[str, int]:
    """The keys of the audio the feeds list (their enclosure paths), with their lengths."""
    lengths = {}
    for item in feeds:
        for enclosure in ET.parse(item.source).getroot().iter("enclosure"):
            path = unquote(urlsplit(enclosure.get("url", "")).path)
            length = enclosure.get("length", "")
            for key in _suffixes(path):
                lengths[key] = int(length) if length.isdigit() else -1
    return lengths


def _suffixes(path: str) -> list[str]:
    """Every trailing part of a URL path, since the site may live under a path prefix."""
    parts = PurePosixPath(path.lstrip("/")).parts
    return ["/".join(parts[index:]) for index in range(len(parts))]


class Progress:
    """What a deploy reports as it goes; the CLI draws a byte progress bar from it."""

    def sent(self, count: int) -> None:
        """`count` more bytes went up."""

    def done(self, key: str) -> None:
        """`key` is in the target."""


def execute(target: Target, plan: Plan, progress: Progress | None = None) -> Result:
    """Upload media, then pages, then feeds; delete; write the manifest last."""
    progress = progress or Progress()
    result = Result()
    lock = threading.Lock()
    for kind in Kind:
        batch = [item for item, _ in plan.uploads if item.kind is kind]
        failed = _upload(target, batch, progress, result, lock, parallel=kind is not Kind.FEED)
        if failed:
            raise DeployError(_failure(kind, failed, plan))
    for key in plan.deletions:
        try:
            target.delete(key)
            result.deleted.append(key)
        except UploadError as exc:
            result.warnings.append(str(exc))
    _write_manifest(target, plan, result)
    return result


def _upload(
    target: Target,
    batch: list[Item],
    progress: Progress,
    result: Result,
    lock: threading.Lock,
    parallel: bool,
) -> list[str]:
    """Upload `batch`; the messages of the files that failed."""

    def one(item: Item) -> str | None:
        try:
            target.put(item.key, item.source, item.headers, progress.sent)
        except UploadError as exc:
            return str(exc)
        with lock:
            result.uploaded.append(item.key)
            progress.done(item.key)
        return None

    if not parallel:
        # feeds one by one, stopping at the first failure
        for item in batch:
            message = one(item)
            if message:
                return [message]
        return []
    with ThreadPoolExecutor(PARALLEL_FILES) as pool:
        return [message for message in pool.map(one, batch) if message]


def _failure(kind: Kind, failed: list[str], plan: Plan) -> str:
    shown = "; ".join(failed[:5]) + (f"; and {len(failed) - 5} more" if len(failed) > 5 else "")
    return (
        f"{len(failed)} upload(s) failed: {shown}. The feed was not uploaded, so listeners "
        "still get the previous one; run the deploy again to finish"
    )


def _write_manifest(target: Target, plan: Plan, result: Result) -> None:
    """Record what the target now holds: the built files, plus anything not yet deleted."""
    files = {key: plan.previous[key] for key in plan.previous if key not in result.deleted}
    files.update({key: {"sha256": i.sha256, "size": i.size} for key, i in plan.items.items()})
    body = json.dumps({"format": MANIFEST_FORMAT, "files": files}, indent=1, sort_keys=True)
    headers = Headers("application/json", "no-store")
    try:
        target.put_bytes(MANIFEST, body.encode(), headers)
    except UploadError as exc:
        message = f"{exc}; the site is live, but the next deploy will upload again"
        raise DeployError(message) from None
