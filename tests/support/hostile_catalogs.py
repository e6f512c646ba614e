"""The table of hostile catalogs: each case breaks the scratch show one way and says what happens.

A `Fails` case must raise CatalogError with a problem naming `file` (relative to the show),
the line (a number, or the key whose line it is, or None where no line applies) and a message
matching `message`; a `Loads` case must load and serve, with `check` asserting the details.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from podcast.model import Catalog
from support.scratch import DATA, EPISODE, EPISODE_AUDIO, EPISODE_YAML, SHOW, Scratch, dump

# Long enough that nothing expands it exponentially without the test noticing (the loader
# must refuse it in well under a second; an exponential walk would need 9**9 steps).
LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
    for i in range(9)
)
MERGES = (
    "m0: &m0 {"
    + ", ".join(f"k{i}: {i}" for i in range(10))
    + "}\n"
    + "".join(f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 10)}]}}\n" for i in range(1, 9))
)
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>\"'&"
CONTROL = "A\x00B\x01C\x08D\x0bE\x0cF\x1bG\x1fH\ufffeI\uffffJ"
MIXED_SCRIPTS = "\u202eevil\u202c שלום مرحبا e\u0301\u0327 👩🏽‍⚕️🩺 𝕏"
EPISODE_TEXT_KEYS = ("title", "summary", "notes")


@dataclass(frozen=True)
class Fails:
    """The catalog must not load; one problem names this file, line and message."""

    file: str
    line: int | str | None
    message: str


@dataclass(frozen=True)
class Loads:
    """The catalog must load; `check` looks at the result; `warning` must be among its warnings."""

    check: Callable[[Catalog, Scratch], None] | None = None
    warning: tuple[str, int | str | None, str] | None = None


@dataclass(frozen=True)
class Case:
    """One hostile input: how to break the scratch show and what must happen."""

    id: str
    setup: Callable[[Scratch], object]
    expect: Fails | Loads


def _text(relative: str, text: str | bytes) -> Callable[[Scratch], object]:
    return lambda s: s.write(relative, text)


def _episode(**changes: object) -> Callable[[Scratch], object]:
    return lambda s: s.episode(**changes)


def _show(**changes: object) -> Callable[[Scratch], object]:
    return lambda s: s.show(**changes)


def _append(relative: str, text: str) -> Callable[[Scratch], object]:
    def setup(s: Scratch) -> None:
        path = s.path(relative)
        path.write_text(path.read_text("utf-8") + text, encoding="utf-8")

    return setup


def _prepend(relative: str, text: str) -> Callable[[Scratch], object]:
    def setup(s: Scratch) -> None:
        path = s.path(relative)
        path.write_text(text + path.read_text("utf-8"), encoding="utf-8")

    return setup


def _replace_key(relative: str, key: str, raw_yaml: str) -> Callable[[Scratch], object]:
    """Replace `key: …` with raw YAML text (for values safe_dump cannot express)."""

    def setup(s: Scratch) -> None:
        path = s.path(relative)
        lines = path.read_text("utf-8").splitlines()
        lines = [f"{key}: {raw_yaml}" if line.startswith(f"{key}:") else line for line in lines]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    return setup


def _outside(s: Scratch, name: str, source: str | None = None, text: str = "") -> Path:
    """A file beside (outside) the show folder, as a stranger's target."""
    path = s.root.parent / name
    if source:
        shutil.copy(DATA / source, path)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _second_episode(s: Scratch, **changes: object) -> None:
    fields: dict[str, object] = {
        "title": "Second",
        "episode": 2,
        "guid": "22222222-2222-4222-8222-222222222222",
        **changes,
    }
    s.episode("season-1/02-second.yaml", with_audio="audio" not in changes, **fields)


def _giant(s: Scratch) -> None:
    """A 5 GiB sparse MP3 (real header, then a hole): its length must be exact, not 32-bit."""
    path = s.audio(EPISODE_AUDIO)
    with path.open("r+b") as stream:
        stream.truncate(GIANT_SIZE)


GIANT_SIZE = 5 * 1024**3 + 12345


# --- checks for cases that load ------------------------------------------------------------


def _only(catalog: Catalog) -> object:
    assert len(catalog.episodes) == 1, catalog.episodes
    return catalog.episodes[0]


def _title_is(expected: str) -> Callable[[Catalog, Scratch], None]:
    def check(catalog: Catalog, _: Scratch) -> None:
        assert catalog.episodes[0].title == expected

    return check


def _giant_size(catalog: Catalog, _: Scratch) -> None:
    assert catalog.episodes[0].audio.size == GIANT_SIZE


def _no_control(catalog: Catalog, _: Scratch) -> None:
    episode = catalog.episodes[0]
    for text in (
        episode.title,
        episode.summary,
        episode.notes,
        episode.guid,
        catalog.show.title,
        catalog.show.author,
    ):
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text), repr(text)
        assert "\ufffe" not in text and "\uffff" not in text


def _two_seasons(catalog: Catalog, _: Scratch) -> None:
    assert [e.season for e in catalog.episodes] == [1]


def _draft(catalog: Catalog, _: Scratch) -> None:
    assert catalog.episodes[0].published.year == 2150


def _spaced_audio(catalog: Catalog, _: Scratch) -> None:
    assert catalog.episodes[0].audio.path.name == "Épisode un (final).mp3"


# --- the table -----------------------------------------------------------------------------

E, S = EPISODE_YAML, "show.yaml"

YAML_CASES = [
    Case(
        "yaml-unclosed-quote",
        _text(E, 'title: "never closed\nseason: 1\n'),
        Fails(E, 1, "YAML syntax error"),
    ),
    Case("yaml-bad-indent", _text(E, "title: x\n  season: 1\n"), Fails(E, 2, "YAML syntax error")),
    Case(
        "yaml-tab-indent",
        _text(E, "title: x\nguests:\n\t- {name: Bob}\n"),
        Fails(E, 3, "YAML syntax error"),
    ),
    Case("yaml-tab-in-mapping", _text(E, "title: x\n\tseason: 1\n"), Fails(E, 2, "tab")),
    Case(
        "yaml-duplicate-key",
        _append(E, "title: Again\n"),
        Fails(E, 9, "duplicate key 'title' \\(first on line 1\\)"),
    ),
    Case(
        "yaml-duplicate-nested-key",
        _append(E, "guests:\n  - name: A\n    name: B\n"),
        Fails(E, 11, "duplicate key 'name'"),
    ),
    Case(
        "yaml-duplicate-link-name",
        _append(S, "links:\n  site: https://a.example/\n  site: https://b.example/\n"),
        Fails(S, 13, "duplicate key 'site' \\(first on line 12\\)"),
    ),
    Case("yaml-empty-file", _text(E, ""), Fails(E, 1, "empty")),
    Case("yaml-only-comments", _text(E, "# nothing here\n# at all\n"), Fails(E, 1, "empty")),
    Case(
        "yaml-top-level-list",
        _text(E, "- title: x\n- season: 1\n"),
        Fails(E, 1, "mapping of keys, not a list"),
    ),
    Case("yaml-top-level-scalar", _text(E, "just some words\n"), Fails(E, 1, "mapping of keys")),
    Case(
        "yaml-two-documents",
        _append(E, "---\ntitle: second document\n"),
        Fails(E, 9, "single document"),
    ),
    Case("yaml-undefined-alias", _append(E, "guests: *nobody\n"), Fails(E, 9, "undefined alias")),
    Case("yaml-non-text-key", _append(E, "[a, b]: 1\n"), Fails(E, 9, "key must be plain text")),
    Case(
        "yaml-over-a-megabyte",
        _append(E, "summary2: " + "x" * 1_000_100 + "\n"),
        Fails(E, None, "larger than 1,000,000 bytes"),
    ),
    Case(
        "yaml-billion-laughs-title",
        lambda s: s.write(
            E,
            LAUGHS
            + dump({k: v for k, v in dict(EPISODE).items() if k != "title"})
            + "title: *l8\n",
        ),
        Fails(E, 6, "aliases expand"),
    ),
    Case(
        "yaml-billion-laughs-show-categories",
        lambda s: s.write(
            S,
            LAUGHS
            + dump({k: v for k, v in SHOW.items() if k != "categories"})
            + "categories: *l8\n",
        ),
        Fails(S, 6, "aliases expand"),
    ),
    Case(
        "yaml-billion-laughs-chapter-start",
        lambda s: s.write(E, LAUGHS + dump(dict(EPISODE)) + "chapters: [{start: *l8, title: x}]\n"),
        Fails(E, 6, "aliases expand"),
    ),
    Case(
        "yaml-merge-key-bomb",
        lambda s: s.write(
            E,
            MERGES
            + dump({k: v for k, v in dict(EPISODE).items() if k != "summary"})
            + "summary: *m8\n",
        ),
        Fails(E, 6, "aliases expand"),
    ),
    Case(
        "yaml-recursive-alias",
        _append(E, "guests: &g [{name: A}, *g]\n"),
        Fails(E, 9, "refers to the value that contains it"),
    ),
    Case(
        "yaml-deep-nesting",
        _append(E, "guests: " + "[" * 100 + "]" * 100 + "\n"),
        Fails(E, 9, "nested more than"),
    ),
    Case(
        "yaml-latin-1-bytes",
        _text(E, "title: Caf\xe9\nseason: 1\n".encode("latin-1")),
        Fails(E, 1, "not UTF-8"),
    ),
    Case(
        "yaml-latin-1-on-line-3",
        _text(E, "season: 1\nepisode: 1\ntitle: Caf\xe9\n".encode("latin-1")),
        Fails(E, 3, "not UTF-8"),
    ),
    Case(
        "yaml-utf-16",
        lambda s: s.write(E, dump(dict(EPISODE)).encode("utf-16")),
        Fails(E, 1, "not UTF-8"),
    ),
    Case(
        "yaml-byte-order-mark",
        lambda s: s.write(E, b"\xef\xbb\xbf" + dump(dict(EPISODE)).encode()),
        Loads(_title_is("First light")),
    ),
    Case(
        "yaml-raw-control-character",
        _text(E, "title: x\nsummary: bell\x07here\n"),
        Fails(E, 2, "U\\+0007 is not allowed"),
    ),
    Case(
        "yaml-raw-nul",
        _text(E, "title: x\nseason: 1\nsummary: a\x00b\n"),
        Fails(E, 3, "U\\+0000 is not allowed"),
    ),
    Case(
        "yaml-show-syntax-error",
        _append(S, "title: [unclosed\n"),
        Fails(S, 11, "YAML syntax error"),
    ),
    Case("yaml-show-is-a-list", _text(S, "- title: x\n"), Fails(S, 1, "not a list")),
]


TYPE_CASES = [
    Case("type-title-list", _episode(title=["a", "b"]), Fails(E, "title", "should be text")),
    Case(
        "type-title-yes",
        _replace_key(E, "title", "yes"),
        Fails(E, "title", "should be text, not true or false"),
    ),
    Case(
        "type-title-date",
        _replace_key(E, "title", "2024-01-01"),
        Fails(E, "title", "should be text, not a date"),
    ),
    Case("type-season-text", _episode(season="one"), Fails(E, "season", "whole number")),
    Case("type-season-zero", _episode(season=0), Fails(E, "season", "1 or more")),
    Case("type-episode-fraction", _episode(episode=1.5), Fails(E, "episode", "whole number")),
    Case("type-episode-negative", _episode(episode=-3), Fails(E, "episode", "1 or more")),
    Case(
        "type-episode-huge",
        _replace_key(E, "episode", "1" * 5000),
        Fails(E, "episode", "impossible value"),
    ),
    Case("type-kind-unknown", _episode(type="podcast"), Fails(E, "type", "'type' is 'podcast'")),
    Case("type-guid-list", _episode(guid=[1, 2]), Fails(E, "guid", "should be text")),
    Case("type-guid-empty", _episode(guid=""), Fails(E, "guid", "'guid' is empty")),
    Case(
        "type-guid-double-encoded",
        _episode(guid="cafÃ©-episode-1"),
        Fails(E, "guid", "reads differently in different podcast apps"),
    ),
    Case("type-explicit-text", _episode(explicit="maybe"), Fails(E, "explicit", "true or false")),
    Case("type-summary-mapping", _episode(summary={"a": 1}), Fails(E, "summary", "text")),
    Case("type-notes-list", _episode(notes=["a"]), Fails(E, "notes", "should be text")),
    Case("type-guests-text", _episode(guests="Bob"), Fails(E, "guests", "should be a list")),
    Case("type-guests-of-text", _episode(guests=["Bob"]), Fails(E, 10, "should be a mapping")),
    Case(
        "type-guest-href-javascript",
        _episode(guests=[{"name": "G", "href": "javascript:alert(1)"}]),
        Fails(E, 11, "'href' is not an absolute http\\(s\\) URL"),
    ),
    Case(
        "type-chapter-start-text",
        _episode(chapters=[{"start": "soon", "title": "x"}]),
        Fails(E, 10, "start is not a time"),
    ),
    Case(
        "type-chapter-start-negative",
        _episode(chapters=[{"start": -5, "title": "x"}]),
        Fails(E, 10, "start is not a time"),
    ),
    Case(
        "type-chapter-url-javascript",
        _episode(chapters=[{"start": "00:00:01", "title": "x", "url": "javascript:x()"}]),
        Fails(E, 12, "'url' is not an absolute http\\(s\\) URL"),
    ),
    Case("type-missing-title", _episode(title=None), Fails(E, 1, "missing required key 'title'")),
    Case("type-missing-guid", _episode(guid=None), Fails(E, 1, "missing required key 'guid'")),
    Case(
        "type-missing-published",
        _episode(published=None),
        Fails(E, 1, "missing required key 'published'"),
    ),
    Case("type-show-title-missing", _show(title=None), Fails(S, 1, "'title'")),
    Case("type-show-owner-text", _show(owner="someone"), Fails(S, "owner", "mapping")),
    Case(
        "type-show-owner-email",
        _show(owner={"name": "T", "email": "not-an-address"}),
        Fails(S, 7, "not an email address"),
    ),
    Case("type-show-language", _show(language="english!!"), Fails(S, "language", "language")),
    Case(
        "type-show-categories-text",
        _show(categories="Health"),
        Fails(S, "categories", "should be a list"),
    ),
    Case(
        "type-show-categories-nested",
        _show(categories=[["Health & Fitness"]]),
        Fails(S, "categories", "each category should be text"),
    ),
    Case(
        "type-show-category-typo",
        _show(categories=["Helth & Fitness"]),
        Fails(S, "categories", "not an Apple Podcasts category"),
    ),
    Case("type-show-explicit-text", _show(explicit="no"), Fails(S, "explicit", "true or false")),
    Case("type-show-kind", _show(type="weekly"), Fails(S, "type", "'type' is 'weekly'")),
    Case(
        "type-show-base-url-javascript",
        _show(site={"base_url": "javascript:alert(1)"}),
        Fails(S, 12, "not an absolute http\\(s\\) URL"),
    ),
    Case(
        "type-show-link-javascript",
        _show(links={"x": "javascript:alert(1)"}),
        Fails(S, 12, "'x' is not an absolute http\\(s\\) URL"),
    ),
    Case(
        "type-show-host-href-javascript",
        _show(hosts=[{"name": "H", "href": " JaVaScRiPt:alert(3)"}]),
        Fails(S, 13, "'href' is not an absolute http\\(s\\) URL"),
    ),
    Case(
        "type-show-season-superscript",
        _show(seasons={"²": {"title": "x"}}),
        Fails(S, 12, "season '²' should be a number"),
    ),
    Case(
        "type-show-podcast-guid",
        _show(podcast_guid="not-a-uuid"),
        Fails(S, "podcast_guid", "not a UUID"),
    ),
]

TEXT_CASES = [
    Case(
        "text-html-in-every-episode-field",
        _episode(
            title=XSS,
            summary=XSS,
            notes=XSS + "\n\n[x](javascript:alert(1))",
            guests=[{"name": XSS, "bio": XSS, "role": "guest"}],
            chapters=[{"start": "00:00:01", "title": XSS}],
        ),
        Loads(_title_is(XSS)),
    ),
    Case(
        "text-html-in-every-show-field",
        _show(
            title=XSS,
            subtitle=XSS,
            description=XSS,
            author=XSS,
            copyright=XSS,
            owner={"name": XSS, "email": "a@example.org"},
            hosts=[{"name": XSS, "bio": XSS}],
            seasons={1: {"title": XSS, "description": XSS}},
            links={XSS: "https://example.org/?q=<script>"},
        ),
        Loads(),
    ),
    Case(
        "text-cdata-end-in-notes",
        _episode(notes="a ]]> b\n\n```\n]]>\n```\n", summary="]]>"),
        Loads(),
    ),
    Case(
        "text-control-characters-everywhere",
        lambda s: (
            s.episode(title=CONTROL, summary=CONTROL, notes=CONTROL, guid="guid-" + CONTROL),
            s.show(title=CONTROL, author=CONTROL),
        ),
        Loads(_no_control, warning=(E, "title", "control characters")),
    ),
    Case(
        "text-right-to-left-combining-emoji",
        _episode(title=MIXED_SCRIPTS, summary=MIXED_SCRIPTS, notes=MIXED_SCRIPTS),
        Loads(_title_is(MIXED_SCRIPTS)),
    ),
    Case(
        "text-double-encoded-title",
        _episode(title="CafÃ© conversations"),
        Loads(warning=(E, "title", "decoded twice: some apps will show 'Café conversations'")),
    ),
    Case(
        "text-title-of-10000-characters",
        _episode(title="T" * 10_000),
        Loads(_title_is("T" * 10_000)),
    ),
]

DATE_CASES = [
    Case(
        "date-no-zone",
        _replace_key(E, "published", "2024-01-09T06:00:00"),
        Fails(E, "published", "no time zone"),
    ),
    Case(
        "date-only",
        _replace_key(E, "published", "2024-01-09"),
        Fails(E, "published", "date but no time"),
    ),
    Case(
        "date-february-30",
        _replace_key(E, "published", "2024-02-30T06:00:00Z"),
        Fails(E, "published", "not a real date"),
    ),
    Case(
        "date-hour-25",
        _replace_key(E, "published", "2024-01-09T25:00:00Z"),
        Fails(E, "published", "not a real date"),
    ),
    Case(
        "date-year-1-east",
        _replace_key(E, "published", "0001-01-01T00:00:00+05:00"),
        Fails(E, "published", "in the year 1"),
    ),
    Case(
        "date-year-9999-west",
        _replace_key(E, "published", "9999-12-31T23:59:59-05:00"),
        Fails(E, "published", "in the year 9999"),
    ),
    Case(
        "date-far-past-1900",
        _replace_key(E, "published", "1900-01-01T00:00:00Z"),
        Fails(E, "published", "in the year 1900"),
    ),
    Case(
        "date-words", _episode(published="yesterday"), Fails(E, "published", "not an ISO 8601 date")
    ),
    Case(
        "date-number",
        _replace_key(E, "published", "12345"),
        Fails(E, "published", "should be a date"),
    ),
    Case(
        "date-far-future-draft", _replace_key(E, "published", "2150-01-01T00:00:00Z"), Loads(_draft)
    ),
    Case("date-extreme-offset", _replace_key(E, "published", "2024-01-09T06:00:00+23:59"), Loads()),
]


def _symlink_audio_out(s: Scratch) -> None:
    s.path(EPISODE_AUDIO).unlink()
    os.symlink(_outside(s, "stolen.mp3", "cbr.mp3"), s.path(EPISODE_AUDIO))


def _symlink_yaml_out(s: Scratch) -> None:
    target = _outside(
        s, "outside.yaml", text=dump({**dict(EPISODE), "episode": 2, "guid": "outside-guid"})
    )
    os.symlink(target, s.path("season-1/02-linked.yaml"))
    s.audio("season-1/02-linked.mp3")


def _symlink_season_out(s: Scratch) -> None:
    folder = s.root.parent / "elsewhere"
    folder.mkdir()
    (folder / "01-x.yaml").write_text(dump({**dict(EPISODE), "season": 2, "guid": "x"}), "utf-8")
    shutil.copy(DATA / "cbr.mp3", folder / "01-x.mp3")
    os.symlink(folder, s.path("season-2"))


def _symlink_show_out(s: Scratch) -> None:
    target = _outside(s, "show.yaml", text=dump(SHOW))
    s.path("show.yaml").unlink()
    os.symlink(target, s.path("show.yaml"))


def _fifo(relative: str) -> Callable[[Scratch], None]:
    def setup(s: Scratch) -> None:
        path = s.path(relative)
        path.unlink(missing_ok=True)
        os.mkfifo(path)

    return setup


def _link(relative: str, target: str) -> Callable[[Scratch], None]:
    def setup(s: Scratch) -> None:
        path = s.path(relative)
        path.unlink(missing_ok=True)
        os.symlink(target, path)

    return setup


def _audio_dir(s: Scratch) -> None:
    s.path(EPISODE_AUDIO).unlink()
    s.path(EPISODE_AUDIO).mkdir()


def _replace_audio(source: str) -> Callable[[Scratch], object]:
    return lambda s: s.audio(EPISODE_AUDIO, source)


def _spaced(s: Scratch) -> None:
    s.path(EPISODE_AUDIO).rename(s.path("season-1/Épisode un (final).mp3"))
    s.episode(audio="Épisode un (final).mp3")


FILE_CASES = [
    Case(
        "file-audio-dotdot",
        lambda s: (_outside(s, "x.mp3", "cbr.mp3"), s.episode(audio="../../x.mp3")),
        Fails(E, "audio", "points outside the episodes folder"),
    ),
    Case(
        "file-audio-absolute",
        lambda s: s.episode(audio=str(_outside(s, "x.mp3", "cbr.mp3"))),
        Fails(E, "audio", "points outside the episodes folder"),
    ),
    Case("file-audio-symlink-out", _symlink_audio_out, Fails(E, 1, "link to a place outside")),
    Case(
        "file-audio-symlink-dev-zero",
        _link(EPISODE_AUDIO, "/dev/zero"),
        Fails(E, 1, "link to a place outside"),
    ),
    Case(
        "file-yaml-symlink-out",
        _symlink_yaml_out,
        Fails("season-1/02-linked.yaml", None, "link to a place outside"),
    ),
    Case(
        "file-yaml-symlink-dev-zero",
        _link("season-1/02-zero.yaml", "/dev/zero"),
        Fails("season-1/02-zero.yaml", None, "link to a place outside"),
    ),
    Case(
        "file-season-folder-symlink-out",
        _symlink_season_out,
        Fails("season-2/01-x.yaml", None, "link to a place outside"),
    ),
    Case("file-show-symlink-out", _symlink_show_out, Fails(S, None, "link to a place outside")),
    Case(
        "file-yaml-is-a-fifo",
        _fifo("season-1/02-pipe.yaml"),
        Fails("season-1/02-pipe.yaml", None, "not a regular file"),
    ),
    Case("file-show-is-a-fifo", _fifo("show.yaml"), Fails(S, None, "not a regular file")),
    Case(
        "file-audio-is-a-fifo",
        _fifo(EPISODE_AUDIO),
        Fails(E, 1, "01-first.mp3 is not a regular file"),
    ),
    Case("file-audio-is-a-folder", _audio_dir, Fails(E, 1, "01-first.mp3 is not a regular file")),
    Case(
        "file-transcript-is-a-fifo",
        _fifo("season-1/01-first.vtt"),
        Fails(E, 1, "01-first.vtt is not a regular file"),
    ),
    Case(
        "file-chapter-image-outside",
        _episode(chapters=[{"start": "00:00:01", "title": "x", "image": "../../artwork.jpg"}]),
        Fails(E, 12, "chapter image '../../artwork.jpg' is not a JPEG or PNG file"),
    ),
    Case(
        "file-audio-missing",
        lambda s: s.path(EPISODE_AUDIO).unlink(),
        Fails(E, 1, "no audio file found"),
    ),
    Case(
        "file-audio-named-missing",
        _episode(audio="nowhere.mp3"),
        Fails(E, "audio", "does not exist"),
    ),
    Case(
        "file-audio-name-too-long",
        _episode(audio="a" * 5000 + ".mp3"),
        Fails(E, "audio", "does not exist"),
    ),
    Case(
        "file-audio-name-with-nul",
        _replace_key(E, "summary", '"x"\naudio: "a\\0b.mp3"'),
        Fails(E, "audio", "audio file 'ab.mp3' does not exist"),
    ),
    Case("file-audio-zero-bytes", _replace_audio("empty.mp3"), Fails(EPISODE_AUDIO, None, "empty")),
    Case(
        "file-audio-truncated",
        _replace_audio("truncated.mp3"),
        Fails(EPISODE_AUDIO, None, "not readable as audio"),
    ),
    Case(
        "file-audio-is-text",
        _replace_audio("not-audio.mp3"),
        Fails(EPISODE_AUDIO, None, "not readable as audio"),
    ),
    Case(
        "file-audio-show-yaml",
        _episode(audio="../show.yaml"),
        Fails("season-1/../show.yaml", None, "audio"),
    ),
    Case(
        "file-audio-wav-renamed",
        _replace_audio("wav-renamed.mp3"),
        # issue 11: `add` refuses it, so loading refuses it too (it would ship as audio/wav)
        Fails(EPISODE_AUDIO, None, "audio/wav but named '.mp3'"),
    ),
    Case("file-audio-name-with-spaces-and-accents", _spaced, Loads(_spaced_audio)),
    Case(
        "file-two-episodes-one-audio",
        lambda s: _second_episode(s, audio="01-first.mp3"),
        Fails("season-1/02-second.yaml", "audio", "duplicate audio file"),
    ),
    Case("file-huge-sparse-audio", _giant, Loads(_giant_size)),
    Case(
        "file-transcript-outside",
        _episode(transcript="../../../etc/passwd"),
        Fails(E, "transcript", "outside the episodes folder"),
    ),
    Case(
        "file-image-outside",
        _episode(image="/etc/hostname"),
        Fails(E, "image", "outside the episodes folder"),
    ),
    Case(
        "file-artwork-outside",
        _show(artwork="/etc/passwd"),
        Fails(S, "artwork", "outside the episodes folder"),
    ),
]

CATALOG_CASES = [
    Case(
        "catalog-duplicate-guid",
        lambda s: _second_episode(s, guid="11111111-1111-4111-8111-111111111111"),
        Fails("season-1/02-second.yaml", "guid", "duplicate guid"),
    ),
    Case(
        "catalog-duplicate-number",
        lambda s: _second_episode(s, episode=1),
        Fails("season-1/02-second.yaml", "episode", "duplicate season and episode number"),
    ),
    Case(
        "catalog-duplicate-page-address",
        lambda s: s.episode("season-1/01-First.yaml", with_audio=True, episode=3, guid="g3"),
        Fails(E, 1, "duplicate page address"),
    ),
    Case("catalog-empty-season-folder", lambda s: s.path("season-2").mkdir(), Loads(_two_seasons)),
    Case(
        "catalog-show-yaml-missing",
        lambda s: s.path("show.yaml").unlink(),
        Fails(S, None, "show.yaml is missing"),
    ),
]


ALL = YAML_CASES + TYPE_CASES + TEXT_CASES + DATE_CASES + FILE_CASES + CATALOG_CASES
