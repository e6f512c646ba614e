"""The pre-publish gate: what Apple Podcasts, Spotify and podcast apps would reject or garble.

`run(catalog)` returns `Problem`s, each with a rule id, a severity, `path:line`, a message and a
fix hint. What the loader already refuses (unknown categories, a missing `explicit`, duplicate
guids or audio files, hence enclosure URLs, unreadable audio) and its warnings (VBR MP3 without
a Xing header) never reach here: `podcast check` reports them under the rule id `catalog`.
Each rule is a function of a `Context`; add new ones to `RULES`.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from podcast.errors import Problem, Severity
from podcast.model import Catalog, Episode, EpisodeType, Show, ShowType, publish_order
from podcast.read import same_audio as same_audio_module
from podcast.read import transcripts
from podcast.read.when import shown
from podcast.render import chapters, feed, notes, urls
from podcast.render.feed import DESCRIPTION_LIMIT  # the feed cuts longer text there
from podcast.render.times import hms

ARTWORK_MIN, ARTWORK_MAX = 1400, 3000  # pixels, Apple's artwork requirements
LOW_BANDWIDTH_SLACK = 1.0  # seconds a low-data copy may differ from the episode (encoder padding)
TITLE_MAX = 255  # characters, Apple's limit for show and episode titles
MAX_AUDIO_BYTES = 200 * 1000 * 1000  # Apple's guidance; larger files time out in apps
FORMATS_APPS_PLAY = frozenset({"audio/mpeg", "audio/x-m4a"})  # MP3 and AAC play everywhere
USUAL_SAMPLE_RATES = frozenset({44100, 48000})
# (lowest, highest) usual bit rates in bit/s: below, speech smears; above, a download wastes data
BITRATE_RANGES = {"audio/ogg": (16_000, 256_000)}
DEFAULT_BITRATE_RANGE = (32_000, 320_000)
IMAGE_TYPES = {"JPEG": {".jpg", ".jpeg"}, "PNG": {".png"}}
# Domains reserved for examples (RFC 2606, RFC 6761): mail sent there never arrives.
PLACEHOLDER_EMAIL = re.compile(
    r"@(([^@]+\.)?example\.(org|com|net)|[^@]+\.(example|test|invalid|localhost))$", re.I
)
# "Episode 4" in the languages podcasts are made in, "Season 3", "S01E04", "第4話", "#4 - …"
NUMBER_WORDS = (
    "episode|épisode|episodio|episódio|epizoda|epizod|epizód|episod|folge|aflevering|afl|"
    "avsnitt|afsnit|jakso|odcinek|bölüm|puntata|capítulo|capitolo|ep|эпизод|выпуск|серия|"
    "season|saison|temporada|staffel|stagione|seizoen|sezon|säsong|sæson|sesong|kausi|сезон"
)
NUMBERED_TITLE = re.compile(
    rf"(?<!\w)(?:{NUMBER_WORDS})\.?\s*(?:n[°º.o]\s*|nr\.?\s*|#)?\d+"
    r"|\bs\d{1,2}\s*e\d{1,3}\b|第\s*\d+\s*[話话集回期季部]|제\s*\d+\s*[화회]"
    r"|^\s*#?\d{1,3}\s*[-:.|–—]\s",
    re.IGNORECASE,
)

# `podcast add` marks a title it could only take from the file name (the audio had no title tag)
TITLE_FROM_FILE_NAME = "# from the file name (the audio has no title tag)"


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule may look at."""

    catalog: Catalog
    now: datetime
    max_audio_bytes: int = MAX_AUDIO_BYTES


Rule = Callable[[Context], Iterable[Problem]]


def run(
    catalog: Catalog, now: datetime | None = None, max_audio_bytes: int = MAX_AUDIO_BYTES
) -> list[Problem]:
    """Every rule's findings on `catalog`, sorted by file, line and rule."""
    context = Context(catalog, now or datetime.now(UTC), max_audio_bytes)
    found = [problem for rule in RULES for problem in rule(context)]
    return sorted(found, key=sort_key)


def sort_key(problem: Problem) -> tuple[str, int, str, str]:
    """Order findings by file, line, rule and message, for stable output."""
    return (str(problem.path or ""), problem.line or 0, problem.rule, problem.message)


def _problem(
    rule: str,
    where: Show | Episode,
    key: str | None,
    message: str,
    hint: str,
    severity: Severity = Severity.ERROR,
) -> Problem:
    """A finding at `key`'s line in the show's or episode's YAML (kept from loading)."""
    line = where.lines.get(key) if key else None
    return Problem(where.source, line, message, hint, severity, rule)


# --- the show -------------------------------------------------------------------------------


def check_artwork(context: Context) -> Iterator[Problem]:
    """Apple: artwork 1400–3000 px, square, RGB, JPEG or PNG bytes matching the extension."""
    show = context.catalog.show
    yield from _image_problems(show.artwork, show, "artwork", "artwork")
    for episode in context.catalog.episodes:
        if episode.image is not None:
            yield from _image_problems(episode.image, episode, "image", "episode-image")


def _image_problems(image: Path, source: Show | Episode, key: str, rule: str) -> Iterator[Problem]:
    def problem(message: str, hint: str, severity: Severity = Severity.ERROR) -> Problem:
        return _problem(rule, source, key, f"{image.name}: {message}", hint, severity)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(image) as picture:
                kind, (width, height), mode = picture.format, picture.size, picture.mode
    except (
        OSError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        yield problem(
            f"not a readable JPEG or PNG image ({exc})", "export the artwork again as JPEG or PNG"
        )
        return
    if kind not in IMAGE_TYPES:
        yield problem(f"the image is {kind}, not JPEG or PNG", "export it as JPEG or PNG")
    elif image.suffix.lower() not in IMAGE_TYPES[kind]:
        yield problem(
            f"the file holds a {kind} image but is named '{image.suffix}'",
            f"rename it to {image.stem}{sorted(IMAGE_TYPES[kind])[0]}",
        )
    if width != height:
        yield problem(
            f"the image is {width}×{height} px, not square",
            "crop it to a square (Apple shows artwork square)",
        )
    if not ARTWORK_MIN <= max(width, height) <= ARTWORK_MAX or not ARTWORK_MIN <= min(
        width, height
    ):
        yield problem(
            f"the image is {width}×{height} px; Apple wants {ARTWORK_MIN}–{ARTWORK_MAX} px",
            f"export it at 3000×3000 px (at least {ARTWORK_MIN})",
        )
    if mode in ("RGBA", "LA", "P", "PA"):
        yield problem(
            f"the image has colour mode {mode} (transparency or a palette)",
            "save it as plain RGB; some apps show transparency as black",
            Severity.WARNING,
        )
    elif mode != "RGB":
        yield problem(
            f"the image has colour mode {mode}; Apple requires RGB",
            "convert it to RGB (not CMYK or greyscale) in your image editor",
        )


def check_categories(context: Context) -> Iterator[Problem]:
    """Apple: at least one category (the loader checks each is in Apple's 2019 list)."""
    show = context.catalog.show
    if not show.categories:
        yield _problem(
            "category",
            show,
            "categories",
            "the show has no category",
            "add e.g. 'categories: [\"Health & Fitness > Medicine\"]'",
        )


def check_owner(context: Context) -> Iterator[Problem]:
    """Spotify and Apple send ownership codes to the owner's email: it must be real."""
    show = context.catalog.show
    if PLACEHOLDER_EMAIL.search(show.owner.email):
        # A notice, not a warning: it changes nothing a listener or an app sees and matters
        # once, when the show is submitted to a directory; the shipped sample keeps it on purpose.
        yield Problem(
            show.source,
            show.lines.get("owner"),
            f"owner email {show.owner.email} is a placeholder address",
            "put the real address before submitting the feed to Apple or Spotify "
            "(they send the ownership code there)",
            Severity.INFO,
            "owner-email",
        )


def check_titles(context: Context) -> Iterator[Problem]:
    """Apple: titles ≤ 255 characters, without episode/season numbers or the show's name."""
    show = context.catalog.show
    if len(show.title) > TITLE_MAX:
        yield _problem(
            "title-length",
            show,
            "title",
            f"the show's title is {len(show.title)} characters; the limit is {TITLE_MAX}",
            "shorten it; put the rest in the description",
        )
    names = {show.title.casefold()}
    short = show.title.split(":")[0].strip()
    if len(short) >= 8:  # "Off the Charts" from "Off the Charts: Examining …"
        names.add(short.casefold())
    for episode in context.catalog.episodes:
        yield from _episode_title(episode, names)


def _episode_title(episode: Episode, show_names: set[str]) -> Iterator[Problem]:
    title = episode.title
    if len(title) > TITLE_MAX:
        yield _problem(
            "title-length",
            episode,
            "title",
            f"the title is {len(title)} characters; the limit is {TITLE_MAX}",
            "shorten it; put the rest in the summary",
        )
    number = NUMBERED_TITLE.search(title)
    if number:
        yield _problem(
            "title-number",
            episode,
            "title",
            f"the title contains a number ('{number.group(0).strip()}')",
            "remove it: apps show 'season' and 'episode' from their own keys",
            Severity.WARNING,
        )
    if any(name in title.casefold() for name in show_names):
        yield _problem(
            "title-show-name",
            episode,
            "title",
            "the title repeats the show's name",
            "remove it: apps show the show's name beside every episode",
            Severity.WARNING,
        )


def check_title_source(context: Context) -> Iterator[Problem]:
    """A title `podcast add` took from the file name, still carrying its mark."""
    for episode in context.catalog.episodes:
        line = _marked_title_line(episode.source)
        if line is not None:
            yield Problem(
                episode.source,
                line,
                f"the title '{episode.title}' came from the audio's file name "
                "(the audio has no title tag)",
                "write the episode's real title, then delete the comment after it",
                Severity.WARNING,
                "title-from-file-name",
            )


def _marked_title_line(path: Path) -> int | None:
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("title:") and TITLE_FROM_FILE_NAME in line:
            return number
    return None


def check_descriptions(context: Context) -> Iterator[Problem]:
    """Apple: descriptions ≤ 4000 bytes; the feed would cut them mid-thought."""
    show = context.catalog.show
    size = len(show.description.encode("utf-8"))
    if size > DESCRIPTION_LIMIT:
        yield _problem(
            "description-length",
            show,
            "description",
            f"the description is {size} bytes; apps show at most {DESCRIPTION_LIMIT}",
            "shorten it",
            Severity.WARNING,
        )
    for episode in context.catalog.episodes:
        if not episode.summary and not episode.notes:
            yield _problem(
                "description-missing",
                episode,
                "summary",
                "the episode has neither 'summary' nor 'notes'; apps would show only its title",
                "write a 'summary:' of one or two sentences",
                Severity.WARNING,
            )
            continue
        text = feed.description_text(episode)
        size = len(text.encode("utf-8"))
        if size > DESCRIPTION_LIMIT:
            key = "summary" if episode.summary else "notes"
            yield _problem(
                "description-length",
                episode,
                key,
                f"the episode's description is {size} bytes; "
                f"the feed cuts it at {DESCRIPTION_LIMIT}",
                "write a shorter 'summary:'",
                Severity.WARNING,
            )


def check_note_links(context: Context) -> Iterator[Problem]:
    """A link in the notes to an episode or season page of this site that does not exist."""
    base = context.catalog.show.base_url
    if not base:
        return  # without site.base_url no link is known to be the site's own
    pages = {urls.episode(e) for e in context.catalog.episodes}
    pages |= {urls.season(e.season) for e in context.catalog.episodes}
    for episode in context.catalog.episodes:
        for link in _links_in(notes.to_html(episode.notes)) if episode.notes else ():
            path = urlsplit(link).path if link.startswith(base + "/") else ""
            path = "/" + path[len(urlsplit(base).path) :].lstrip("/")
            page = "/".join(path.split("/")[:3]) + "/"  # /episodes/<slug>/, /seasons/<n>/
            if path.startswith(SITE_PAGES) and page not in pages:
                line = _line_with(episode.source, link) or episode.lines.get("notes")
                yield Problem(
                    episode.source,
                    line,
                    f"the notes link to {link}, a page this site does not have",
                    "check the address: copy it from the page itself",
                    Severity.WARNING,
                    "notes-link",
                )


SITE_PAGES = ("/episodes/", "/seasons/")  # the site's own pages, named by the catalog
_HREF = re.compile(r'href="([^"]+)"')


def _links_in(html: str) -> list[str]:
    return [unescape(link) for link in _HREF.findall(html)]


def _line_with(path: Path, text: str) -> int | None:
    try:
        lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return next((number for number, line in enumerate(lines, 1) if text in line), None)


def check_file_names(context: Context) -> Iterator[Problem]:
    """Apple: file names in enclosure and image URLs must be ASCII."""
    catalog = context.catalog
    files: list[tuple[Path, Show | Episode, str]] = [
        (catalog.show.artwork, catalog.show, "artwork")
    ]
    for episode in catalog.episodes:
        if episode.audio.path is not None:  # a kept URL is the old host's to name
            files.append((episode.audio.path, episode, "audio"))
        if episode.image is not None:
            files.append((episode.image, episode, "image"))
        files += [(t.path, episode, "transcript") for t in episode.transcripts]
        if episode.low_bandwidth is not None and episode.low_bandwidth.path is not None:
            files.append((episode.low_bandwidth.path, episode, "audio"))
    for path, source, key in files:
        relative = path.relative_to(catalog.root) if path.is_relative_to(catalog.root) else path
        if not relative.as_posix().isascii():
            yield _problem(
                "file-name-ascii",
                source,
                key,
                f"'{relative.as_posix()}' has non-ASCII characters",
                "rename it with plain letters, digits and hyphens (`podcast add` does this)",
            )


def check_serial(context: Context) -> Iterator[Problem]:
    """Apple: in a serial show every full episode has a number."""
    if context.catalog.show.type is not ShowType.SERIAL:
        return
    for episode in context.catalog.episodes:
        if episode.number is None and episode.type is EpisodeType.FULL:
            yield _problem(
                "serial-number",
                episode,
                None,
                "the show is serial but this episode has no 'episode' number",
                "add 'episode: N' (listeners of serial shows play in order)",
            )


def check_seasons(context: Context) -> Iterator[Problem]:
    """A season missing from show.yaml's `seasons:`, or a gap in the season numbers."""
    catalog = context.catalog
    first = _first_of_each_season(catalog.episodes)
    named = {info.number for info in catalog.show.seasons}
    previous = 0
    for number, episode in sorted(first.items()):
        if named and number not in named:
            yield _problem(
                "season-unnamed",
                episode,
                "season",
                f"season {number} has no entry under 'seasons:' in show.yaml",
                f"add '{number}: {{title: …}}' under 'seasons:', or fix 'season'",
                Severity.WARNING,
            )
        if number > previous + 1:
            missing = (
                f"{previous + 1}" if number == previous + 2 else f"{previous + 1}–{number - 1}"
            )
            yield _problem(
                "season-gap",
                episode,
                "season",
                f"season {number} follows season {previous or 'none'}: "
                f"season {missing} has no episodes",
                f"use season {previous + 1}, unless seasons are really missing",
                Severity.WARNING,
            )
        previous = number


def _first_of_each_season(episodes: Iterable[Episode]) -> dict[int, Episode]:
    first: dict[int, Episode] = {}
    for episode in sorted(episodes, key=publish_order):
        first.setdefault(episode.season, episode)
    return first


def check_numbering(context: Context) -> Iterator[Problem]:
    """Within a season, episode numbers rise with publication time."""
    highest: dict[int, Episode] = {}
    for episode in sorted(context.catalog.episodes, key=publish_order):
        if episode.number is None:
            continue
        before = highest.get(episode.season)
        if before is not None and before.number is not None and episode.number < before.number:
            yield _problem(
                "number-order",
                episode,
                "episode",
                f"episode {episode.number} of season {episode.season} is published after "
                f"episode {before.number} ({before.source.name})",
                "swap the numbers or the 'published' times: apps play by number",
                Severity.WARNING,
            )
        else:
            highest[episode.season] = episode


def check_duplicates(context: Context) -> Iterator[Problem]:
    """Two episodes with the same title, or the same audio under two file names."""
    titles: dict[str, Episode] = {}
    for episode in sorted(context.catalog.episodes, key=lambda e: str(e.source)):
        first = titles.setdefault(episode.title.casefold(), episode)
        if first is not episode:
            yield _problem(
                "duplicate-title",
                episode,
                "title",
                f"the title '{episode.title}' is also the title of {first.source.name}",
                "give each episode its own title: apps list them side by side",
                Severity.WARNING,
            )
    for episode, first, path, first_path in same_audio(context.catalog.episodes):
        yield _problem(
            "duplicate-audio",
            episode,
            "audio",
            f"{path.name} holds the same audio as {first_path.name} ({first.source.name})",
            "one of them is the wrong file: export the right audio",
            Severity.WARNING,
        )


def same_audio(episodes: Iterable[Episode]) -> Iterator[tuple[Episode, Episode, Path, Path]]:
    """(episode, an earlier one with the same recording, their files), whatever their tags;
    only local files of one type and length are compared (remote audio is not ours)."""
    alike: dict[tuple[str, int], list[tuple[Episode, Path]]] = {}
    for episode in sorted(episodes, key=lambda e: str(e.source)):
        audio = episode.audio
        if audio.path is not None:
            key = (audio.mime, round(audio.duration.total_seconds()))
            alike.setdefault(key, []).append((episode, audio.path))
    for group in alike.values():
        for index, (episode, path) in enumerate(group):
            for first, first_path in group[:index]:
                if same_audio_module.same_recording(first_path, path):
                    yield episode, first, path, first_path
                    break


# --- audio ----------------------------------------------------------------------------------


def check_audio(context: Context) -> Iterator[Problem]:
    """Formats apps play poorly, unusual bit or sample rates, enclosures too large."""
    for episode in context.catalog.episodes:
        audio, source = episode.audio, episode
        name = audio.path.name if audio.path else audio.url
        if audio.mime not in FORMATS_APPS_PLAY:
            yield _problem(
                "audio-format",
                source,
                "audio",
                f"{name} is {audio.mime} ({audio.codec}); Apple Podcasts and many "
                "apps do not play it",
                "export MP3 or AAC (M4A) as well, and use that",
                Severity.WARNING,
            )
        low, high = BITRATE_RANGES.get(audio.mime, DEFAULT_BITRATE_RANGE)
        if audio.bitrate and not low <= audio.bitrate <= high:
            yield _problem(
                "audio-bitrate",
                source,
                "audio",
                f"{name} has an unusual bit rate of {audio.bitrate // 1000} kbit/s",
                f"export at {low // 1000}–{high // 1000} kbit/s (64 for speech mono, 128 stereo)",
                Severity.WARNING,
            )
        if audio.sample_rate and audio.sample_rate not in USUAL_SAMPLE_RATES:
            yield _problem(
                "audio-sample-rate",
                source,
                "audio",
                f"{name} has an unusual sample rate of {audio.sample_rate} Hz",
                "export at 44100 Hz (some players resample badly)",
                Severity.WARNING,
            )
        if audio.size > context.max_audio_bytes:
            yield _problem(
                "audio-size",
                source,
                "audio",
                f"{name} is {audio.size / 1e6:.0f} MB; the limit is "
                f"{context.max_audio_bytes / 1e6:.0f} MB",
                "export at a lower bit rate, or split the episode",
                Severity.WARNING,
            )


# --- chapters -------------------------------------------------------------------------------


def check_chapters(context: Context) -> Iterator[Problem]:
    """Chapters apps would misplay (the rules live in podcast.render.chapters)."""
    for episode in context.catalog.episodes:
        for problem in chapters.problems(episode):
            if problem.line is None and problem.path == episode.source:
                problem = dataclasses.replace(problem, line=episode.lines.get("chapters"))
            yield problem


def check_soundbites(context: Context) -> Iterator[Problem]:
    """podcast:soundbite clips must last a while and lie inside the audio."""
    for episode in context.catalog.episodes:
        end = episode.audio.duration
        for bite in episode.soundbites:
            label = (
                f"soundbite '{bite.title}' at {hms(bite.start)}"
                if bite.title
                else (f"soundbite at {hms(bite.start)}")
            )
            if bite.duration <= timedelta(0):
                yield _problem(
                    "soundbite",
                    episode,
                    "soundbites",
                    f"{label} lasts no time",
                    "give it a duration",
                )
            elif bite.start + bite.duration > end:
                yield _problem(
                    "soundbite",
                    episode,
                    "soundbites",
                    f"{label} ends after the audio ({hms(end)})",
                    "move its start or shorten its duration",
                )


# --- transcripts ----------------------------------------------------------------------------


def check_transcripts(context: Context) -> Iterator[Problem]:
    """Transcripts apps cannot read (file:line of the bad cue), or that outlast the audio."""
    for episode in context.catalog.episodes:
        for problem in transcripts.problems(episode):
            yield problem if problem.rule else dataclasses.replace(problem, rule="transcript")


def check_low_bandwidth(context: Context) -> Iterator[Problem]:
    """A low-data copy that is not as long as the episode (a copy of other audio, or cut)."""
    for episode in context.catalog.episodes:
        low = episode.low_bandwidth
        if low is None or low.path is None:
            continue
        gap = abs(low.duration - episode.audio.duration).total_seconds()
        if gap > LOW_BANDWIDTH_SLACK:
            yield Problem(
                low.path,
                None,
                f"the low-data copy is {low.seconds} s long, the episode {episode.audio.seconds} s",
                f"remake it from the final audio (delete {low.path.name}; `podcast add "
                "--low-bandwidth` makes one)",
                Severity.WARNING,
                "low-bandwidth-duration",
            )


# --- schedule -------------------------------------------------------------------------------


def check_schedule(context: Context) -> Iterator[Problem]:
    """List drafts, and the scheduled episodes with when each goes live (in the show's zone)."""
    for episode in context.catalog.drafts(context.now):
        if episode.draft:
            key, message = "draft", f"draft '{episode.title}' is not released"
            hint = (
                f"preview it with `podcast serve --drafts`; then `podcast release {episode.slug}`"
            )
        else:
            when = episode.published.isoformat(sep=" ")
            local = shown(episode.published, context.catalog.show.timezone)
            key, message = "published", f"'{episode.title}' goes live at {when} ({local})"
            hint = "preview it with `podcast serve --drafts`"
        yield _problem("schedule", episode, key, message, hint, Severity.INFO)


RULES: tuple[Rule, ...] = (
    check_artwork,
    check_categories,
    check_owner,
    check_titles,
    check_title_source,
    check_descriptions,
    check_note_links,
    check_file_names,
    check_serial,
    check_seasons,
    check_numbering,
    check_duplicates,
    check_audio,
    check_chapters,
    check_soundbites,
    check_transcripts,
    check_low_bandwidth,
    check_schedule,
)
