"""`podcast add`: put an audio file into the show with a new episode YAML, safely.

The audio is copied (or moved) under an ASCII name into its season's folder, then the YAML is
written; each file appears whole (temporary file, then a link that never replaces anything),
so an interrupted or refused `add` leaves no half-written file and overwrites nothing. The copy
(never the producer's original) is tagged with the episode's metadata before it appears. An add
interrupted between the two leaves the audio alone; running the same add again adopts it when
it holds the same file (tagged or not) and no episode names it.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from podcast.checks.artwork import ARTWORK_MAX, ARTWORK_MIN
from podcast.checks.text import TITLE_FROM_FILE_NAME
from podcast.errors import CatalogError, PodcastError, Problem
from podcast.files import sibling, write_atomic
from podcast.model import Audio, Episode, EpisodeType, Show, Status, slugify
from podcast.publish import encode, lowdata, tag
from podcast.publish.encode import ENCODINGS
from podcast.publish.schedule import Clock, show_clock, status_line
from podcast.read import catalog as catalog_module
from podcast.read import same_audio
from podcast.read.audio import AUDIO_EXTENSIONS, EXTENSIONS_BY_MIME, probe
from podcast.read.paths import SEASON_DIR
from podcast.read.show import load_show
from podcast.read.when import release_time
from podcast.read.yamlfile import read_mapping

# What `add` accepts: MP3, AAC in MP4, and Ogg (Opus, Vorbis); the rest should be re-exported.
ACCEPTED = {"audio/mpeg": ".mp3", "audio/x-m4a": ".m4a", "audio/ogg": ".ogg"}
POORLY_PLAYED = {"audio/ogg"}  # Apple Podcasts and many apps cannot play Ogg


class AddError(PodcastError):
    """`podcast add` refused; nothing was changed."""


@dataclass(frozen=True, slots=True)
class NewEpisode:
    """What `add` wrote, and what the producer still has to do."""

    yaml_path: Path
    audio_path: Path
    season: int
    number: int | None
    title: str
    guid: str
    published: datetime
    to_fill: tuple[str, ...]
    notices: tuple[str, ...] = ()
    draft: bool = True
    clock: Clock = Clock(UTC)  # the show's zone, for telling the producer when it goes out

    @property
    def slug(self) -> str:
        """The new episode's slug, as `podcast release` and the site name it."""
        return slugify(f"s{self.season}-{self.yaml_path.stem}")

    def status(self, now: datetime | None = None) -> Status:
        """Draft, scheduled or live, as `podcast list` will say."""
        if self.draft:
            return Status.DRAFT
        return Status.SCHEDULED if self.published > (now or datetime.now(UTC)) else Status.LIVE

    def status_line(self, now: datetime | None = None) -> str:
        """`Draft: …`, `Scheduled for …` or `Live now`: the line `podcast add` ends with."""
        return status_line(self.status(now), self.published, self.clock, self.slug)


def add_episode(
    root: Path,
    source: Path,
    *,
    season: int | None = None,
    number: int | None = None,
    title: str | None = None,
    published: datetime | None = None,
    kind: EpisodeType | None = None,
    move: bool = False,
    encode: str | None = None,
    draft: bool = True,
    low_bandwidth: bool | None = None,
) -> NewEpisode:
    """Copy (or move) `source` into `root` with a new episode YAML (a draft unless `draft` is
    False); AddError if refused.

    A WAV, AIFF or FLAC master is encoded with `encode` ("mp3" or "aac", default: the show's
    `encode:`), else refused.
    With `low_bandwidth` (default: show.yaml's `low_bandwidth`), a low-data copy goes beside it.
    """
    root, source = Path(root).absolute(), Path(source).absolute()
    if not (root / catalog_module.SHOW_FILE).is_file():
        raise AddError(f"{root} has no show.yaml; pass --root with the episodes folder")
    audio = probe(source, tags=True)  # AudioError (a PodcastError) for non-audio or corrupt files
    notices: list[str] = []
    show = _show(root)
    encoding = _encoding(root, source, audio, encode or show.encode, move, notices)
    if audio.mime in POORLY_PLAYED:
        notices.append(
            f"warning: {audio.mime} ({audio.codec}) does not play in Apple Podcasts "
            "and some other apps; MP3 or AAC (M4A) plays everywhere"
        )
    kind = kind or EpisodeType.FULL
    used = _used_numbers(root)
    season = season or _latest_season(root, used)
    if season < 1:
        raise AddError("--season must be 1 or more")
    number = _pick_number(season, number, audio, kind, used, notices)
    named = not (title or audio.tags.title)  # the title can only come from the file name
    title = (title or audio.tags.title or _title_from_name(source)).strip()
    clock = show_clock(root)
    when = published or _tag_date(audio, clock) or clock.now()
    if when.tzinfo is None or when.utcoffset() is None:
        raise AddError("--published needs a time zone, e.g. 2026-12-01T06:00:00-06:00")
    stem = _stem(number, kind, title)
    folder = root / f"season-{season}"
    suffix = ENCODINGS[encoding].suffix if encoding else _extension(source, audio)
    audio_path = folder / (stem + suffix)
    yaml_path = folder / f"{stem}.yaml"
    # An interrupted `add` may have placed the audio but not the YAML: the same add adopts it.
    orphan = audio_path.exists() and _unclaimed(root, audio_path, yaml_path)
    for path in (yaml_path,) if orphan else (audio_path, yaml_path):
        if path.exists() or path.is_symlink():
            raise _exists(root, path)
    _refuse_same_audio(root, source)
    guid = str(uuid.uuid4())
    summary = audio.tags.comment or ""
    text = episode_yaml(
        title=title,
        season=season,
        number=number,
        published=when,
        kind=kind,
        guid=guid,
        summary=summary,
        audio=audio,
        title_from_file_name=named,
        draft=draft,
    )
    episode = Episode(yaml_path, stem, title, season, number, when, kind, guid, audio, summary)
    meta = tag.metadata(episode, show)
    folder.mkdir(parents=True, exist_ok=True)
    adopt = _place_audio(root, audio_path, meta, orphan, _producer(source, audio, encoding))
    low = show.low_bandwidth if low_bandwidth is None else low_bandwidth
    # The YAML goes in last: until it does, the show is unchanged (the audio alone is not loaded).
    made: Path | None = None
    try:
        if low:
            made = lowdata.make_low_bandwidth(audio_path)
            notices.append(f"made {made.name} (low-data copy)")
        write_atomic(yaml_path, text.encode("utf-8"), exclusive=True)
    except BaseException:
        if not adopt:  # an adopted audio came from an earlier run: keep it
            audio_path.unlink(missing_ok=True)  # no orphan audio from a refused or failed add
        if made is not None:
            made.unlink(missing_ok=True)
        raise
    if move:
        source.unlink()
    notices += _tag_notices(audio)
    to_fill = tuple(k for k, v in (("summary", summary), ("notes", "")) if not v)
    return NewEpisode(
        yaml_path,
        audio_path,
        season,
        number,
        title,
        guid,
        when,
        to_fill,
        tuple(notices),
        draft,
        clock,
    )


def _used_numbers(root: Path) -> set[tuple[int, int]]:
    """(season, episode) pairs already taken, read from every episode YAML."""
    used = set()
    for path in catalog_module.episode_files(root):
        fields = read_mapping(path, [])
        if fields is None:
            continue
        folder = SEASON_DIR.match(path.parent.name)
        season = fields.get("season", int) or (int(folder.group(1)) if folder else None)
        number = fields.get("episode", int)
        if season and number:
            used.add((season, number))
    return used


def _show(root: Path) -> Show:
    """The show the new episode joins, for its tags; CatalogError if show.yaml has errors."""
    problems: list[Problem] = []
    show = load_show(root, problems)
    if show is None:
        raise CatalogError(problems)
    return show


def _unclaimed(root: Path, audio_path: Path, yaml_path: Path) -> bool:
    """Whether `audio_path` is a regular file that no episode YAML names."""
    if not audio_path.is_file() or audio_path.is_symlink():
        return False
    if any(p.is_file() for p in (yaml_path, yaml_path.with_suffix(".yml"))):
        return False  # the same-stem YAML owns it
    for path in catalog_module.episode_files(root):
        fields = read_mapping(path, [])
        name = fields.get("audio", str) if fields is not None else None
        if name and Path(os.path.normpath(path.parent / name)) == audio_path:
            return False
    return True


def _refuse_same_audio(root: Path, source: Path) -> None:
    """AddError when an episode already has this recording (the same bytes, or the same audio
    frames under the tags `add` wrote into its copy)."""
    size = source.stat().st_size
    for path in catalog_module.episode_files(root):
        audio = _audio_named_by(path)
        if audio is None or not same_audio.could_match(size, audio.stat().st_size):
            continue
        if same_audio.same_recording(source, audio):
            raise AddError(
                f"{source.name} is already an episode: {path.relative_to(root)} has the same "
                f"audio ({audio.relative_to(root)}); nothing was changed"
            )


def _audio_named_by(path: Path) -> Path | None:
    """The audio file an episode YAML uses: its `audio:`, else the same-stem audio beside it."""
    fields = read_mapping(path, [])
    name = fields.get("audio", str) if fields is not None else None
    beside = (
        [path.parent / name] if name else [path.with_suffix(e) for e in sorted(AUDIO_EXTENSIONS)]
    )
    return next((p for p in beside if p.is_file()), None)


def _latest_season(root: Path, used: set[tuple[int, int]]) -> int:
    folders = [
        int(m.group(1)) for p in root.iterdir() if p.is_dir() and (m := SEASON_DIR.match(p.name))
    ]
    return max([*folders, *(s for s, _ in used)], default=1)


def _pick_number(
    season: int,
    number: int | None,
    audio: Audio,
    kind: EpisodeType,
    used: set[tuple[int, int]],
    notices: list[str],
) -> int | None:
    if number is not None:
        if number < 1:
            raise AddError("--episode must be 1 or more")
        if (season, number) in used:
            raise AddError(
                f"season {season} already has an episode {number}; nothing was "
                "changed (leave out --episode to take the next free number)"
            )
        return number
    if kind is not EpisodeType.FULL:
        return None  # trailers and bonus episodes sit outside the numbering
    track = audio.tags.track
    if track and (season, track) not in used:
        return track
    free = max((n for s, n in used if s == season), default=0) + 1
    if track:
        notices.append(
            f"the audio's track number {track} is taken in season {season}; using {free}"
        )
    return free


def _stem(number: int | None, kind: EpisodeType, title: str) -> str:
    return episode_stem(number, kind, slugify(title))


def episode_stem(number: int | None, kind: EpisodeType, slug: str) -> str:
    """An episode's file stem: `07-slug`, or `trailer-slug` / `bonus-slug` outside the numbering."""
    prefix = f"{number:02d}" if number is not None else kind.value
    return f"{prefix}-{slug}"


def _extension(source: Path, audio: Audio) -> str:
    suffix = source.suffix.lower()
    if suffix in EXTENSIONS_BY_MIME[audio.mime]:
        return suffix
    return ".opus" if audio.codec.lower().startswith("opus") else ACCEPTED[audio.mime]


def _title_from_name(source: Path) -> str:
    return source.stem.replace("_", " ").replace("-", " ").strip().capitalize() or "New episode"


def _tag_date(audio: Audio, clock: Clock) -> datetime | None:
    """The tag's date as a publication time: a bare date at the show's release hour in its
    zone, a time without a zone in that zone, else None."""
    text = (audio.tags.date or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == 10:  # a bare YYYY-MM-DD
        return release_time(moment.date(), clock.zone, clock.hour)
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.zone)


def _tag_notices(audio: Audio) -> list[str]:
    notices = []
    if audio.chapters:
        notices.append(
            f"{len(audio.chapters)} chapters embedded in the audio will be used "
            "(add 'chapters:' to the YAML to replace them)"
        )
    if audio.tags.cover_mime:
        notices.append(
            "the audio has embedded cover art; episode artwork must be a separate "
            f"{ARTWORK_MIN}–{ARTWORK_MAX} px JPEG or PNG named with 'image:'"
        )
    if audio.tags.artist:
        notices.append(
            f"the audio's artist tag is '{audio.tags.artist}'; add guests with "
            "'guests:' if they are not the hosts"
        )
    return notices


Producer = Callable[[Path], Path]  # writes the new audio into a temporary file; gives the source


def _producer(source: Path, audio: Audio, encoding: str | None) -> Producer:
    """Copy `source`, or encode it when `encoding` names a format."""

    def produce(temp: Path) -> Path:
        if encoding:
            encode.encode(source, temp, encoding, audio.channels)
        else:
            shutil.copyfile(source, temp)
        return source

    return produce


def _encoding(
    root: Path, source: Path, audio: Audio, wanted: str | None, move: bool, notices: list[str]
) -> str | None:
    """The format to encode a master into; AddError for a master without one, or a non-podcast
    format; None (with a notice if one was asked for) when the audio plays as it is."""
    if audio.mime in encode.MASTERS:
        if wanted is None:
            raise AddError(
                f"{source.name} is {audio.mime}, which podcast apps do not play; encode the "
                f"master as you add it: {encode.suggestion(source, root)} (with your other "
                "options; or --encode aac; or set 'encode: mp3' in show.yaml)"
            )
        if move:
            raise AddError("--move with --encode would delete the master; leave out --move")
        notices.append(f"encoding {source.name} ({audio.mime}) as {wanted}; the master is kept")
        return wanted
    if audio.mime not in ACCEPTED:
        raise AddError(
            f"{source.name} is {audio.mime}, which podcast apps do not play; "
            "export it as MP3 or AAC (M4A) and add that file"
        )
    if wanted:
        notices.append(f"{source.name} is already {audio.mime}; it was not encoded again")
    return None


def _exists(root: Path, path: Path) -> AddError:
    return AddError(
        f"{path.relative_to(root)} already exists; nothing was changed "
        "(pass --title or --episode to choose another name)"
    )


def _place_audio(
    root: Path, target: Path, meta: tag.Metadata, orphan: bool, produce: Producer
) -> bool:
    """Put a tagged copy (or encoding) of the source at `target`, never replacing a file.

    With `orphan`, `target` is an unclaimed file an interrupted add may have left: it is
    adopted (and replaced by the tagged copy) when it is the source or that copy; True then.
    """
    temp = sibling(target, "tmp")
    try:
        source = produce(temp)
        tag.write_tags(temp, meta, source.name)
        if orphan:
            if not any(filecmp.cmp(f, target, shallow=False) for f in (temp, source)):
                raise _exists(root, target)
            os.replace(temp, target)
            return True
        os.link(temp, target)  # fails if target appeared meanwhile; rename would replace it
    except FileExistsError as exc:
        raise _exists(root, target) from exc
    finally:
        temp.unlink(missing_ok=True)
    return False


def episode_yaml(
    *,
    title: str,
    season: int,
    number: int | None,
    published: datetime,
    kind: EpisodeType,
    guid: str,
    summary: str,
    audio: Audio,
    title_from_file_name: bool = False,
    draft: bool = False,
) -> str:
    """The new episode's YAML text, with comments for what is left to write."""

    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML scalar

    title_line = f"title: {quoted(title)}"
    if title_from_file_name:  # `podcast check` warns while this mark stays
        title_line += f"  {TITLE_FROM_FILE_NAME}: write the real title, then delete this comment"
    lines = [title_line, f"season: {season}"]
    if number is not None:
        lines.append(f"episode: {number}")
    lines += [
        f"published: {published.isoformat()}  # a time in the future schedules it",
        *(["draft: true  # not public until `podcast release`"] if draft else []),
        f"type: {kind.value}",
        f"guid: {guid}  # written once by `podcast add`; never change it",
        f"summary: {quoted(summary)}  # one or two plain sentences for podcast apps",
        'notes: ""  # Markdown show notes: write `notes: |` and the text indented below',
    ]
    if audio.tags.artist:
        lines.insert(1, f"# artist tag in the audio: {audio.tags.artist}")
    return "\n".join(lines) + "\n"
