"""`podcast import`: bring an existing show's feed over, every guid, date and title kept.

The plan is made first (nothing written); then show.yaml (only into an empty folder), then each
new item in parallel: its audio, transcript, artwork and chapters, and its YAML last, so a
failed item leaves no episode and a re-run picks it up. Items already imported (same guid) are
never rewritten; differences upstream are reported.
"""

from __future__ import annotations

import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from podcast.checks import against, rules
from podcast.errors import AudioError, CatalogError, PodcastError, Severity
from podcast.files import write_atomic
from podcast.model import Audio, EpisodeType, slugify
from podcast.publish.add import ACCEPTED, episode_stem
from podcast.publish.import_fetch import (
    MAX_SIDE_FILE_BYTES,
    FetchError,
    Network,
    Progress,
    download,
    fetch,
    is_url,
)
from podcast.publish.import_source import SourceItem, SourceShow, read_source
from podcast.publish.import_write import (
    chapters_from_json,
    chapters_from_podlove,
    duration_text,
    file_slug,
    notes_markdown,
    person,
    show_fields,
    soundbites,
    vtt_from_json,
    yaml_text,
)
from podcast.read import catalog as catalog_module
from podcast.read.audio import EXTENSIONS_BY_MIME, probe
from podcast.read.yamlfile import read_mapping
from podcast.render.feedext import podcast_guid

REDIRECTS_FILE = "redirects.map"
TRANSCRIPTS = {
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
    "application/srt": ".srt",
    "text/srt": ".srt",
}
_MIMES = {suffix: mime for mime, suffix in ACCEPTED.items()}
IMAGES = {"image/jpeg": ".jpg", "image/jpg": ".jpg", "image/png": ".png"}


class ImportError_(PodcastError):
    """`podcast import` refused before writing anything."""


@dataclass(frozen=True, slots=True)
class Options:
    """How to import: dry run, since when, who confirmed the lock, how patient, how parallel."""

    dry_run: bool = False
    since: datetime | None = None
    owns_locked_feed: bool = False
    network: Network = field(default_factory=Network)
    workers: int = 4
    progress: Progress | None = None
    keep_media: bool = False  # --media keep: the audio stays at its URL; nothing downloaded

    @classmethod
    def asked(
        cls, dry_run: bool, media: str, since: datetime | None, owns: bool, timeout: float
    ) -> Options:
        """The options `podcast import`'s flags ask for (`media`: download or keep)."""
        return cls(dry_run, since, owns, Network(timeout=timeout), keep_media=media == "keep")

    @property
    def activity(self) -> str:
        """What the import is busy with, for a progress bar: nothing is downloaded on a dry
        run, little with --media keep."""
        if self.dry_run:
            return "Reading the feed (dry run: nothing is downloaded)"
        return "Importing (audio left at its URL)" if self.keep_media else "Downloading"


@dataclass(slots=True)
class Planned:
    """One source item and where it goes."""

    item: SourceItem
    guid: str
    season: int
    number: int | None
    kind: EpisodeType
    stem: str
    folder: Path

    @property
    def page(self) -> str:
        """The new episode page's path on the site."""
        return f"/episodes/{slugify(f's{self.season}-{self.stem}')}/"


@dataclass(slots=True)
class Report:
    """What an import did or would do, for the CLI to print."""

    source: str
    items: int = 0
    mapping: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)
    already: int = 0
    upstream: list[str] = field(default_factory=list)
    comparison: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as printable lines."""
        out = list(self.mapping)
        out += [f"warning: {w}" for w in self.warnings]
        out += [f"skipped: {s}" for s in self.skipped]
        out += [f"failed: {f}" for f in self.failed]
        out += [f"upstream changed: {u}" for u in self.upstream]
        out.append(
            f"{self.items} items in the source: {len(self.imported)} imported, "
            f"{self.already} already here, {len(self.skipped)} skipped, {len(self.failed)} failed"
        )
        return out + self.comparison


def import_feed(root: Path, source: str, options: Options) -> Report:
    """Import the feed at `source` into `root`; ImportError_ if refused before writing."""
    root = Path(root).absolute()
    show = read_source(source, options.network)
    report = Report(source, items=len(show.items), warnings=list(show.warnings))
    if show.locked and not options.owns_locked_feed:
        raise ImportError_(
            f"{source} says podcast:locked yes: its owner asks hosts not to import it; if "
            "you own the show, run again with --i-own-this-feed"
        )
    old_url = show.feed_url if show.feed_url else (source if is_url(source) else None)
    guid = show.podcast_guid or (podcast_guid(old_url) if old_url else None)
    existing = _existing_show(root, show, guid, old_url)
    known = _known_episodes(root)
    plans = _plan(root, show, known, options, report)
    if options.dry_run:
        report.mapping = [_describe(p, options.keep_media) for p in plans]
        return report
    if not existing:
        _write_show(root, show, guid, old_url, options, report)
    _run(root, show, plans, options, report)
    _write_redirects(root, plans, show)
    _compare(root, show, report)
    return report


def _existing_show(root: Path, show: SourceShow, guid: str | None, old_url: str | None) -> bool:
    """True when root already holds this show; ImportError_ when it holds another."""
    path = root / catalog_module.SHOW_FILE
    if not path.is_file():
        return False
    fields = read_mapping(path, [])
    if fields is None:
        raise ImportError_(f"{path} cannot be read; fix it or import into an empty folder")
    same = (
        (guid is not None and fields.get("podcast_guid", str) == guid)
        or (old_url is not None and fields.get("previous_feed_url", str) == old_url)
        or fields.get("title", str) == show.title
    )
    if not same:
        raise ImportError_(
            f"{root} already holds another show ('{fields.get('title', str)}'); nothing was "
            "written (import into an empty folder with --root)"
        )
    return True


def _known_episodes(root: Path) -> dict[str, Any]:
    known: dict[str, Any] = {}
    for path in catalog_module.episode_files(root):
        fields = read_mapping(path, [])
        guid = fields.get("guid", str) if fields is not None else None
        if guid:
            known[guid] = (path, fields)
    return known


def _plan(
    root: Path, show: SourceShow, known: dict[str, Any], options: Options, report: Report
) -> list[Planned]:
    seen: dict[str, int] = {}
    # only YAML stems: audio left without its YAML by an interrupted run is adopted, not renamed
    taken = {p.stem for p in root.glob("season-*/*.yaml")}
    numbers_taken = {_numbered(fields) for _, fields in known.values()} - {None}
    links = [i.link for i in show.items if i.link]
    shared = {link for link in links if links.count(link) > 1} | {show.link or ""}
    plans = []
    for item in show.items:
        label = f"item {item.index} '{item.title}'"
        if not item.enclosure_url:
            report.skipped.append(f"{label}: no enclosure (no audio)")
            continue
        guid = item.guid or item.enclosure_url
        if item.guid is None:
            report.warnings.append(f"{label} has no guid; using its enclosure URL, as apps do")
        if guid in seen:
            report.skipped.append(f"{label}: duplicate guid {guid} (also item {seen[guid]})")
            continue
        seen[guid] = item.index
        if item.published is None:
            report.skipped.append(f"{label}: pubDate '{item.published_text}' is not a date")
            continue
        if options.since and item.published.date() < options.since.date():
            report.skipped.append(f"{label}: published before --since")
            continue
        if guid in known:
            report.already += 1
            _upstream(label, item, known[guid], report)
            continue
        plan = _place(root, item, guid, taken, shared)
        if plan.number is not None and (plan.season, plan.number) in numbers_taken:
            report.warnings.append(
                f"{label}: season {plan.season} episode {plan.number} is taken by another item; "
                "imported without an episode number (the loader allows each number once)"
            )
            plan.number = None
        numbers_taken.add((plan.season, plan.number) if plan.number else None)
        plans.append(plan)
    numbers = [i.number for i in show.items if i.number]
    if numbers and max(numbers) > len(show.items):
        report.warnings.append(
            f"the feed has {len(show.items)} items but episode numbers up to {max(numbers)}: "
            "it may be truncated (ask the old host for the full feed)"
        )
    return plans


def _numbered(fields: Any) -> tuple[int, int] | None:
    season, number = fields.get("season", int), fields.get("episode", int)
    return (season, number) if season and number else None


def _place(root: Path, item: SourceItem, guid: str, taken: set[str], shared: set[str]) -> Planned:
    try:
        kind = EpisodeType(item.episode_type or "full")
    except ValueError:
        kind = EpisodeType.FULL
    season = item.season or 1
    number = item.number if kind is EpisodeType.FULL else None
    base = episode_stem(number, kind, file_slug(item, shared, season, number))
    stem, n = base, 2
    while stem in taken:
        stem, n = f"{base}-{n}", n + 1
    taken.add(stem)
    return Planned(item, guid, season, number, kind, stem, root / f"season-{season}")


def _upstream(label: str, item: SourceItem, known: Any, report: Report) -> None:
    path, fields = known
    if fields.get("title", str) != item.title:
        report.upstream.append(f"{label}: title differs from {path.name}; left as it is")
    published = fields.raw("published") if fields.has("published") else None
    if isinstance(published, datetime) and published != item.published:
        report.upstream.append(f"{label}: date differs from {path.name}; left as it is")
    if (fields.get("notes", str) or "") != notes_markdown(item.notes_html):
        report.upstream.append(f"{label}: notes differ from {path.name}; left as they are")


def _describe(plan: Planned, keep_media: bool) -> str:
    item = plan.item
    number = plan.number if plan.number is not None else plan.kind.value
    size = f"{item.enclosure_length} bytes" if item.enclosure_length else "size unknown"
    when = item.published.isoformat() if item.published else "-"
    media = f"audio kept at {item.enclosure_url}" if keep_media else "file"
    return (
        f"{item.index}: '{item.title}' guid={plan.guid} date={when} "
        f"season={plan.season} episode={number} slug={plan.page} "
        f"yaml=season-{plan.season}/{plan.stem}.yaml {media} ({size})"
    )


# --- writing -------------------------------------------------------------------------------


def _write_show(
    root: Path,
    show: SourceShow,
    guid: str | None,
    old_url: str | None,
    options: Options,
    report: Report,
) -> None:
    root.mkdir(parents=True, exist_ok=True)
    if not show.image:
        raise ImportError_(f"{show.source}: the feed has no show artwork (itunes:image)")
    try:
        art = fetch(_absolute(show, show.image), options.network, MAX_SIDE_FILE_BYTES)
    except FetchError as exc:
        raise ImportError_(f"the show's artwork could not be downloaded: {exc}") from exc
    name = "artwork" + IMAGES.get(art.content_type, _suffix(show.image, ".jpg"))
    if not (root / name).exists():
        write_atomic(root / name, art.data, exclusive=True)
    fields, warnings = show_fields(show, name, guid or "", old_url)
    names = {i.season or 1: i.season_name for i in show.items if i.season_name}
    if names:
        fields["seasons"] = {n: {"title": title} for n, title in sorted(names.items())}
    if not guid:
        del fields["podcast_guid"]
    report.warnings += warnings
    comments = [f"Imported by `podcast import` from {show.source}"]
    text = yaml_text(fields, comments)
    write_atomic(root / catalog_module.SHOW_FILE, text.encode("utf-8"), exclusive=True)


def _run(
    root: Path, show: SourceShow, plans: list[Planned], options: Options, report: Report
) -> None:
    lock = threading.Lock()

    def progress(count: int) -> None:
        if options.progress is not None:
            with lock:
                options.progress(count)

    def one(plan: Planned) -> None:
        label = f"item {plan.item.index} '{plan.item.title}'"
        notes: list[str] = []
        try:
            _import_item(show, plan, options, progress, notes)
        except (PodcastError, OSError, ValueError) as exc:
            with lock:
                report.failed.append(f"{label}: {exc}")
            return
        with lock:
            report.imported.append(label)
            report.warnings += [f"{label}: {n}" for n in notes]

    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        list(pool.map(one, plans))


def _import_item(
    show: SourceShow, plan: Planned, options: Options, progress: Progress, notes: list[str]
) -> None:
    item = plan.item
    plan.folder.mkdir(parents=True, exist_ok=True)
    url = _absolute(show, item.enclosure_url or "")
    if options.keep_media:
        kept = {"enclosure": _kept_enclosure(url, item, options, progress, notes)}
    else:
        kept = {}
        _download_audio(url, plan.folder / (plan.stem + _audio_suffix(item)), options, progress)
        audio = _probed(plan.folder / (plan.stem + _audio_suffix(item)))
        if item.enclosure_length and item.enclosure_length != audio.size:
            notes.append(
                f"enclosure length {item.enclosure_length} declared, {audio.size} received"
            )
    fields = _episode_fields(show, plan, notes) | kept
    comments = [f"Imported from {show.source}: keep the guid and published time as they are"]
    extras = _side_files(show, plan, options, notes, fields)
    text = yaml_text({**fields, **extras}, comments + [f"note: {n}" for n in notes if "not " in n])
    write_atomic(plan.folder / f"{plan.stem}.yaml", text.encode("utf-8"), exclusive=True)


def _download_audio(url: str, path: Path, options: Options, progress: Progress) -> None:
    if not path.exists():  # a file we linked on an earlier run was complete
        download(url, path, options.network, progress)


def _probed(path: Path) -> Audio:
    """The downloaded audio, probed; a file that is not audio is removed and the item fails."""
    try:
        return probe(path)
    except AudioError as exc:
        path.unlink()
        raise PodcastError(f"the enclosure is not audio podcast apps can play ({exc})") from exc


def _kept_enclosure(
    url: str, item: SourceItem, options: Options, progress: Progress, notes: list[str]
) -> dict[str, Any]:
    """`enclosure:` for audio left at its URL: the feed's length, type and duration as declared.

    Only when the feed leaves out the length or the duration is the audio fetched (into a
    temporary folder, then removed) to measure them.
    """
    length, duration = item.enclosure_length, duration_text(item.duration)
    mime = item.enclosure_type or _MIMES.get(_audio_suffix(item), "audio/mpeg")
    if not length or duration is None:
        with tempfile.TemporaryDirectory(prefix="podcast-import-") as scratch:
            path = Path(scratch) / ("audio" + _audio_suffix(item))
            download(url, path, options.network, progress)
            audio = _probed(path)
        missing = [w for w, v in (("length", length), ("duration", duration)) if not v]
        notes.append(f"the feed gives no {' or '.join(missing)}; measured from the audio")
        length = length or audio.size
        duration = duration or duration_text(str(audio.duration.total_seconds()))
    return {"url": url, "length": length, "type": mime, "duration": duration}


def _episode_fields(show: SourceShow, plan: Planned, notes: list[str]) -> dict[str, Any]:
    item = plan.item
    fields: dict[str, Any] = {"title": item.title or "Untitled", "season": plan.season}
    if plan.number is not None:
        fields["episode"] = plan.number
    fields |= {"published": item.published, "type": plan.kind.value, "guid": plan.guid}
    if item.guid_permalink and item.guid:  # kept as the old feed said it (absent means false)
        fields["guid_is_permalink"] = True
    if item.explicit is not None and item.explicit != bool(show.explicit):
        fields["explicit"] = item.explicit
    if item.summary:
        fields["summary"] = " ".join(item.summary.split())
    fields["notes"] = notes_markdown(item.notes_html)
    guests = [person(p) for p in item.persons if p.role != "host"]
    if guests:
        fields["guests"] = guests
    bites, dropped = soundbites(item.soundbites)
    if bites:
        fields["soundbites"] = bites
    notes += dropped
    return fields


def _side_files(
    show: SourceShow, plan: Planned, options: Options, notes: list[str], fields: dict[str, Any]
) -> dict[str, Any]:
    """Transcript, artwork and chapters beside the audio; each failure is only a warning."""
    item, extras = plan.item, dict[str, Any]()
    transcript = next((t for t in item.transcripts if t.mime in TRANSCRIPTS), None)
    json_transcript = next((t for t in item.transcripts if t.mime == "application/json"), None)
    if transcript is None and json_transcript is not None:
        _json_transcript(show, json_transcript.url, plan, options, notes)
        transcript = json_transcript
    for other in item.transcripts:
        if other is not transcript:
            notes.append(f"transcript {other.url} ({other.mime}) not imported: use VTT or SRT")
    if transcript is not None and transcript is not json_transcript:
        _side(show, transcript.url, plan, TRANSCRIPTS[transcript.mime], options, notes)
    if item.image and item.image != show.image:
        image = _side(show, item.image, plan, _suffix(item.image, ".jpg"), options, notes)
        if image:
            extras["image"] = image
    chapters = chapters_from_podlove(item.chapters)
    if item.chapters_url:
        try:
            data = fetch(_absolute(show, item.chapters_url), options.network, MAX_SIDE_FILE_BYTES)
            chapters = chapters_from_json(data.data) or chapters
        except (FetchError, ValueError) as exc:
            notes.append(f"chapters not imported: {exc}")
    if chapters:
        extras["chapters"] = chapters
    return extras


def _json_transcript(
    show: SourceShow, url: str, plan: Planned, options: Options, notes: list[str]
) -> None:
    """A JSON transcript converted to WebVTT beside the audio (the loader reads VTT)."""
    target = plan.folder / f"{plan.stem}.vtt"
    if target.exists():
        return
    try:
        data = fetch(_absolute(show, url), options.network, MAX_SIDE_FILE_BYTES)
        text = vtt_from_json(data.data)
    except (FetchError, ValueError) as exc:
        notes.append(f"transcript {url} not imported: {exc}")
        return
    if text is None:
        notes.append(f"transcript {url} has no timed segments; not imported")
        return
    write_atomic(target, text.encode("utf-8"), exclusive=True)
    notes.append(f"transcript {url} converted from JSON to WebVTT")


def _side(
    show: SourceShow, url: str, plan: Planned, suffix: str, options: Options, notes: list[str]
) -> str | None:
    target = plan.folder / (plan.stem + suffix)
    if target.exists():
        return target.name
    try:
        data = fetch(_absolute(show, url), options.network, MAX_SIDE_FILE_BYTES)
        if suffix in IMAGES.values():  # name an image by what it is, not by its URL
            target = target.with_suffix(IMAGES.get(data.content_type, suffix))
        write_atomic(target, data.data, exclusive=True)
    except (FetchError, OSError) as exc:
        notes.append(f"{url} not imported: {exc}")
        return None
    return target.name


def _audio_suffix(item: SourceItem) -> str:
    suffix = _suffix(item.enclosure_url or "", "")
    mime = (
        "audio/x-m4a" if item.enclosure_type in ("audio/mp4", "audio/m4a") else item.enclosure_type
    )
    if suffix in {e for exts in EXTENSIONS_BY_MIME.values() for e in exts}:
        return suffix
    return ACCEPTED.get(mime or "", ".mp3")


def _suffix(url: str, default: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    return (
        "." + name.rsplit(".", 1)[1]
        if "." in name and len(name.rsplit(".", 1)[1]) <= 4
        else default
    )


def _absolute(show: SourceShow, url: str) -> str:
    if is_url(url) or not show.feed_url:
        return url
    from urllib.parse import urljoin

    return urljoin(show.feed_url, url)


def _write_redirects(root: Path, plans: list[Planned], show: SourceShow) -> None:
    """Old episode page path → new page path, in nginx `map` syntax, merged with earlier runs."""
    path = root / REDIRECTS_FILE
    lines = path.read_text("utf-8").splitlines() if path.is_file() else []
    shared = {show.link or ""}
    for plan in plans:
        link = plan.item.link
        if link and link not in shared and (old := urlsplit(link).path) not in ("", "/"):
            entry = f"{old} {plan.page};"
            if entry not in lines and (plan.folder / f"{plan.stem}.yaml").exists():
                lines.append(entry)
    if lines:
        write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))


def _compare(root: Path, show: SourceShow, report: Report) -> None:
    """The closing comparison with the source, by `podcast check --against`'s rules."""
    try:
        catalog = catalog_module.load(root)
    except CatalogError as exc:
        report.comparison.append(f"the catalog does not load yet ({len(exc.problems)} problems):")
        report.comparison += [f"  {p}" for p in exc.problems[:20]]
        return
    items = [i for i in show.items if i.enclosure_url]
    published = against.PublishedFeed(
        show.source,
        tuple(
            against.PublishedItem(i.guid or i.enclosure_url or "", i.title, i.enclosure_url or "")
            for i in items
        ),
    )
    problems = against.compare(catalog, published, datetime.now(UTC))
    by_guid = {e.guid: e for e in catalog.episodes}
    same = [(i, by_guid[g]) for i in items if (g := i.guid or i.enclosure_url or "") in by_guid]
    dates = len([i for i, e in same if e.published.isoformat() == _iso(i.published)])
    titles = len([i for i, e in same if e.title == i.title])
    lengths = len([i for i, e in same if i.enclosure_length not in (None, e.audio.size)])
    counts = {
        r: sum(1 for p in problems if p.rule == r)
        for r in ("guid-changed", "guid-vanished", "enclosure-reused", "enclosure-moved")
    }
    found = rules.run(catalog)
    errors = len([p for p in found if p.severity is Severity.ERROR])
    report.comparison.append(
        f"podcast check: {errors} errors, {len(found) - errors} warnings and notices"
        + ("; run `podcast check` to see them" if found else "")
    )
    report.comparison += [
        f"compared with the source: {len(same)} of {len(items)} guids present, "
        f"{dates} dates and {titles} titles equal, {lengths} enclosure lengths differed "
        "from the declared length",
        "check --against: " + ", ".join(f"{n} {r}" for r, n in counts.items()),
    ]


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset written: equal only when the instant and the offset are."""
    return moment.isoformat() if moment else None
