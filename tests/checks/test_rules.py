"""The pre-publish rules: each has a failing case, and the shipped show passes them all."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from support.clock import NOW

from podcast.checks import against as published
from podcast.checks import rules as checks
from podcast.errors import PodcastError, Problem, Severity
from podcast.read import catalog
from podcast.read.loader import Loader
from podcast.render import feed

Write = Callable[[str, str], Path]
EPISODE = "season-1/01-why-we-call-it-an-emergency"
# A real MPEG-2 Layer III frame of silence: 8 kbit/s, 22050 Hz, mono (26 bytes).
LOW_RATE_FRAME = bytes([0xFF, 0xF3, 0x10, 0xC0]) + bytes(22)


def run(root: Path) -> list[Problem]:
    return checks.run(catalog.load(root), NOW)


def rules(problems: list[Problem]) -> dict[str, list[Problem]]:
    found: dict[str, list[Problem]] = {}
    for problem in problems:
        found.setdefault(problem.rule, []).append(problem)
    return found


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def episode_yaml(title: str = "A fine title", extra: str = "") -> str:
    return (
        f"title: {title}\nseason: 1\nepisode: 9\npublished: 2022-03-01T06:00:00-06:00\n"
        f"guid: 0d7f3bd2-3a51-4c39-8d8a-5d2b1c6f2a01\nsummary: A summary.\n{extra}"
    )


def add_episode(
    show_dir: Path, data_dir: Path, audio: str, yaml_text: str, name: str = "09-extra"
) -> Path:
    shutil.copyfile(data_dir / audio, show_dir / "season-1" / f"{name}{Path(audio).suffix}")
    path = show_dir / "season-1" / f"{name}.yaml"
    path.write_text(yaml_text, "utf-8")
    return path


def test_the_shipped_show_passes_strictly() -> None:
    problems = run(catalog.default_root())
    assert [p for p in problems if p.severity is not Severity.INFO] == []
    assert [p.rule for p in problems] == ["owner-email"]  # a notice: the sample's placeholder


def test_every_problem_has_a_rule_location_and_hint(show_dir: Path) -> None:
    edit(
        show_dir / f"{EPISODE}.yaml",
        "title: Why we call it an emergency",
        "title: Episode 1 - Why we call it an emergency",
    )
    (problem,) = [p for p in run(show_dir) if p.rule == "title-number"]
    assert problem.path == show_dir / f"{EPISODE}.yaml"
    assert problem.line == 1
    assert problem.severity is Severity.WARNING
    assert "Episode 1" in problem.message and problem.hint


# --- artwork --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "mode", "fmt", "name", "expected"),
    [
        ((1000, 1000), "RGB", "JPEG", "artwork.jpg", {"the image is 1000×1000 px"}),
        ((3200, 3200), "RGB", "JPEG", "artwork.jpg", {"the image is 3200×3200 px"}),
        ((1600, 1400), "RGB", "JPEG", "artwork.jpg", {"not square"}),
        ((1400, 1400), "CMYK", "JPEG", "artwork.jpg", {"colour mode CMYK"}),
        ((1400, 1400), "L", "PNG", "artwork.png", {"colour mode L"}),
        ((1400, 1400), "RGB", "PNG", "artwork.jpg", {"holds a PNG image but is named '.jpg'"}),
        ((1400, 1400), "RGB", "GIF", "artwork.gif", {"the image is GIF"}),
    ],
)
def test_artwork_rules(
    show_dir: Path, size: tuple[int, int], mode: str, fmt: str, name: str, expected: set[str]
) -> None:
    Image.new(mode, size).save(show_dir / name, fmt)
    edit(show_dir / "show.yaml", "artwork: artwork.jpg", f"artwork: {name}")
    found = rules(run(show_dir))["artwork"]
    assert all(p.line == 16 for p in found)  # the 'artwork:' line of show.yaml
    for fragment in expected:
        assert any(fragment in p.message and p.severity is Severity.ERROR for p in found), [
            p.message for p in found
        ]


def test_transparent_artwork_is_a_warning(show_dir: Path) -> None:
    Image.new("RGBA", (1400, 1400)).save(show_dir / "artwork.png", "PNG")
    edit(show_dir / "show.yaml", "artwork: artwork.jpg", "artwork: artwork.png")
    (problem,) = rules(run(show_dir))["artwork"]
    assert problem.severity is Severity.WARNING and "RGBA" in problem.message


def test_artwork_that_is_not_an_image(show_dir: Path) -> None:
    (show_dir / "artwork.jpg").write_text("this is not a picture")
    (problem,) = rules(run(show_dir))["artwork"]
    assert "not a readable JPEG or PNG" in problem.message


def test_episode_images_follow_the_same_rules(show_dir: Path) -> None:
    Image.new("RGB", (300, 300)).save(show_dir / "season-1" / "cover.jpg", "JPEG")
    with (show_dir / f"{EPISODE}.yaml").open("a") as handle:
        handle.write("image: cover.jpg\n")
    (problem,) = rules(run(show_dir))["episode-image"]
    assert problem.path == show_dir / f"{EPISODE}.yaml" and "300×300" in problem.message


# --- show and titles ------------------------------------------------------------------------


def test_a_show_without_categories(show_dir: Path) -> None:
    edit(
        show_dir / "show.yaml",
        'categories: ["Health & Fitness > Medicine", "Society & Culture"]',
        "categories: []",
    )
    (problem,) = rules(run(show_dir))["category"]
    assert problem.severity is Severity.ERROR and problem.line == 17


def test_a_real_owner_email_is_not_flagged(show_dir: Path) -> None:
    edit(show_dir / "show.yaml", "podcast@example.org", "podcast@healthpartners.com")
    assert "owner-email" not in rules(run(show_dir))


@pytest.mark.parametrize(
    "email", ["a@example.com", "a@mail.example.net", "a@host.test", "a@show.invalid"]
)
def test_placeholder_owner_emails(show_dir: Path, email: str) -> None:
    edit(show_dir / "show.yaml", "podcast@example.org", email)
    (problem,) = rules(run(show_dir))["owner-email"]
    assert problem.severity is Severity.INFO


@pytest.mark.parametrize(
    "title",
    [
        "Episode 12: Access",
        "Ep. 3 Access",
        "S2E4 Access",
        "Season 2 finale",
        "12 - Access",
        "#3: Access",
    ],
)
def test_titles_with_numbers(show_dir: Path, title: str) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "title: Why we call it an emergency", f"title: '{title}'")
    assert "title-number" in rules(run(show_dir))


@pytest.mark.parametrize("title", ["5 ways to listen", "2024 in review", "Why we call it home"])
def test_titles_that_only_look_numbered(show_dir: Path, title: str) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "title: Why we call it an emergency", f"title: {title}")
    assert "title-number" not in rules(run(show_dir))


def test_titles_with_the_show_name(show_dir: Path) -> None:
    edit(
        show_dir / f"{EPISODE}.yaml",
        "title: Why we call it an emergency",
        "title: 'Off the Charts: why we call it an emergency'",
    )
    (problem,) = rules(run(show_dir))["title-show-name"]
    assert problem.severity is Severity.WARNING


def test_titles_over_255_characters(show_dir: Path) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "title: Why we call it an emergency", "title: " + "a" * 256)
    (problem,) = rules(run(show_dir))["title-length"]
    assert problem.severity is Severity.ERROR and "256 characters" in problem.message


def test_descriptions_over_4000_bytes(show_dir: Path) -> None:
    long_summary = "é" * 2001  # 4002 bytes in UTF-8, 2001 characters
    edit(
        show_dir / f"{EPISODE}.yaml",
        "summary: The hosts explain why they treat health equity as an emergency that calls "
        "for action now.",
        f"summary: {long_summary}",
    )
    (problem,) = rules(run(show_dir))["description-length"]
    assert "4002 bytes" in problem.message and problem.line == 7


def test_an_episode_without_summary_or_notes(show_dir: Path, data_dir: Path, write: Write) -> None:
    add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml().replace("summary: A summary.\n", ""))
    (problem,) = rules(run(show_dir))["description-missing"]
    assert problem.path.name == "09-extra.yaml"


def test_non_ascii_file_names(show_dir: Path, data_dir: Path) -> None:
    shutil.copyfile(data_dir / "cbr.mp3", show_dir / "season-1" / "café.mp3")
    add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml(extra="audio: café.mp3\n"))
    (show_dir / "season-1" / "09-extra.mp3").unlink()
    (problem,) = rules(run(show_dir))["file-name-ascii"]
    assert "season-1/café.mp3" in problem.message and problem.line == 7


def test_serial_shows_number_every_full_episode(show_dir: Path, data_dir: Path) -> None:
    edit(show_dir / "show.yaml", "type: episodic", "type: serial")
    add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml().replace("episode: 9\n", ""))
    (problem,) = rules(run(show_dir))["serial-number"]
    assert problem.path.name == "09-extra.yaml"  # the unnumbered trailer is fine


# --- audio ----------------------------------------------------------------------------------


def test_formats_apps_play_poorly(show_dir: Path, data_dir: Path) -> None:
    add_episode(show_dir, data_dir, "voice.opus", episode_yaml())
    (problem,) = rules(run(show_dir))["audio-format"]
    assert "audio/ogg" in problem.message and problem.severity is Severity.WARNING


def test_unusual_bit_and_sample_rates(show_dir: Path) -> None:
    (show_dir / "season-1" / "09-extra.mp3").write_bytes(LOW_RATE_FRAME * 300)
    (show_dir / "season-1" / "09-extra.yaml").write_text(episode_yaml(), "utf-8")
    found = rules(run(show_dir))
    assert "8 kbit/s" in found["audio-bitrate"][0].message
    assert "22050 Hz" in found["audio-sample-rate"][0].message


def test_enclosures_over_200_mb(show_dir: Path, data_dir: Path) -> None:
    add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml())
    with (show_dir / "season-1" / "09-extra.mp3").open("r+b") as handle:
        handle.truncate(201_000_000)  # sparse: real MP3 frames, then zeros
    (problem,) = rules(run(show_dir))["audio-size"]
    assert "201 MB" in problem.message


def test_vbr_without_header_is_reported_by_the_loader(show_dir: Path, data_dir: Path) -> None:
    add_episode(show_dir, data_dir, "vbr-noxing.mp3", episode_yaml())
    (warning,) = catalog.load(show_dir).warnings
    assert "Xing" in warning.message and warning.severity is Severity.WARNING


# --- chapters and schedule ------------------------------------------------------------------


def test_chapters_out_of_order_or_past_the_end(show_dir: Path, data_dir: Path) -> None:
    add_episode(
        show_dir,
        data_dir,
        "cbr.mp3",
        episode_yaml(
            extra=(
                'chapters:\n  - {start: "00:00:02", title: Two}\n'
                '  - {start: "00:00:01", title: One}\n'
                '  - {start: "00:10:00", title: Later}\n'
            )
        ),
    )
    found = rules(run(show_dir))
    (order,) = found["chapters-order"]
    (late,) = found["chapters-duration"]
    assert "'Later'" in late.message and late.line == 10
    assert order.severity is Severity.ERROR and order.path.name == "09-extra.yaml"
    assert order.line == 9
    assert found["chapters-notes"][0].severity is Severity.WARNING  # first is not at 00:00:00


def test_chapter_problems_name_the_chapter_line(show_dir: Path, data_dir: Path) -> None:
    chapters = (
        "chapters:\n"  # line 7
        '  - {start: "00:00:03", title: Opening}\n'
        '  - start: "00:00:01"\n'  # line 9: before the chapter above
        "    title: Early\n"
        "  - title: Late\n"  # line 11: after the audio's end
        '    start: "00:10:00"\n'
    )
    path = add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml(extra=chapters))
    loaded = catalog.load(show_dir)
    path.write_text("# shifted\n" * 3 + path.read_text("utf-8"), "utf-8")  # after loading
    found = rules(checks.run(loaded, NOW))
    (order,) = found["chapters-order"]
    (late,) = found["chapters-duration"]
    (notes,) = found["chapters-notes"]  # about the whole list: its 'chapters:' line
    assert (order.path, order.line, late.line, notes.line) == (path, 9, 11, 7)


def test_chapter_lines_survive_a_later_process(show_dir: Path, data_dir: Path) -> None:
    chapters = (
        'chapters:\n  - {start: "00:00:00", title: Opening}\n  - {start: "00:10:00", title: Late}\n'
    )
    add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml(extra=chapters))
    Loader(show_dir).load()
    later = Loader(show_dir)  # a new process: the episodes come from the memory on disk
    (late,) = rules(checks.run(later.load(), NOW))["chapters-duration"]
    assert later.read == 0 and late.line == 9


def test_drafts_are_listed_with_their_time(show_dir: Path, data_dir: Path) -> None:
    add_episode(
        show_dir,
        data_dir,
        "cbr.mp3",
        episode_yaml().replace("2022-03-01T06:00:00-06:00", "2026-12-01T06:00:00-06:00"),
    )
    (problem,) = rules(run(show_dir))["schedule"]
    assert problem.severity is Severity.INFO and "2026-12-01 06:00:00-06:00" in problem.message
    assert problem.line == 4


# --- GUID stability against the published feed ----------------------------------------------


@pytest.fixture
def last_feed(show_dir: Path, tmp_path: Path) -> Path:
    """The feed as published before the test's edits, on a media CDN."""
    path = tmp_path / "published.xml"
    path.write_bytes(
        feed.build(catalog.load(show_dir), "https://old.example", NOW, "https://cdn.example/media")
    )
    return path


def compare(root: Path, feed_file: Path) -> dict[str, list[Problem]]:
    return rules(published.compare(catalog.load(root), published.read(str(feed_file)), NOW))


def test_an_unchanged_catalog_matches_its_feed(show_dir: Path, last_feed: Path) -> None:
    assert compare(show_dir, last_feed) == {}


def test_a_changed_guid_is_an_error(show_dir: Path, last_feed: Path) -> None:
    edit(
        show_dir / f"{EPISODE}.yaml",
        "guid: 38b421c9-1a98-4e61-ac18-3ab2fd2431da",
        "guid: 11111111-1a98-4e61-ac18-3ab2fd2431da",
    )
    (problem,) = compare(show_dir, last_feed)["guid-changed"]
    assert problem.path == show_dir / f"{EPISODE}.yaml" and problem.line == 6
    assert "38b421c9-1a98-4e61-ac18-3ab2fd2431da" in problem.hint


def test_a_vanished_episode_is_an_error(show_dir: Path, last_feed: Path) -> None:
    (show_dir / f"{EPISODE}.yaml").unlink()
    (problem,) = compare(show_dir, last_feed)["guid-vanished"]
    assert "Why we call it an emergency" in problem.message


def test_an_episode_moved_back_into_drafts_vanishes(show_dir: Path, last_feed: Path) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "2022-01-11T06:00:00-06:00", "2027-01-11T06:00:00-06:00")
    (problem,) = compare(show_dir, last_feed)["guid-vanished"]
    assert problem.line == 4 and "now scheduled" in problem.message


def test_a_reused_enclosure_url_is_an_error(show_dir: Path, last_feed: Path) -> None:
    first, second = show_dir / f"{EPISODE}.yaml", show_dir / "season-1/02-what-health-equity-means"
    with first.open("a") as handle:
        handle.write("audio: 02-what-health-equity-means.mp3\n")
    with second.with_suffix(".yaml").open("a") as handle:
        handle.write("audio: 01-why-we-call-it-an-emergency.mp3\n")
    found = compare(show_dir, last_feed)
    assert sorted(p.path.name for p in found["enclosure-reused"]) == [
        "01-why-we-call-it-an-emergency.yaml",
        "02-what-health-equity-means.yaml",
    ]


def test_a_moved_enclosure_is_a_warning(show_dir: Path, last_feed: Path) -> None:
    audio = show_dir / f"{EPISODE}.mp3"
    audio.rename(audio.with_name("renamed.mp3"))
    with (show_dir / f"{EPISODE}.yaml").open("a") as handle:
        handle.write("audio: renamed.mp3\n")
    (problem,) = compare(show_dir, last_feed)["enclosure-moved"]
    assert problem.severity is Severity.WARNING


@pytest.fixture
def feed_server(last_feed: Path) -> Iterator[str]:
    """The published feed served over HTTP on 127.0.0.1."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(last_feed.parent))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{last_feed.name}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_published_feed_can_be_read_from_a_url(show_dir: Path, feed_server: str) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "guid: 38b421c9", "guid: 22222222")
    found = rules(published.compare(catalog.load(show_dir), published.read(feed_server), NOW))
    assert list(found) == ["guid-changed"]


def test_unreadable_published_feeds_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not xml")
    (tmp_path / "atom.xml").write_text('<feed xmlns="http://www.w3.org/2005/Atom"/>')
    with pytest.raises(PodcastError, match="not a readable feed"):
        published.read(str(tmp_path / "notes.txt"))
    with pytest.raises(PodcastError, match="not an RSS feed"):
        published.read(str(tmp_path / "atom.xml"))
    with pytest.raises(PodcastError, match="cannot read the published feed"):
        published.read(str(tmp_path / "missing.xml"))
    with pytest.raises(PodcastError, match="cannot download"):
        published.read("http://127.0.0.1:9/feed.xml")


def test_finding_lines_come_from_loading_not_a_second_read(show_dir: Path) -> None:
    path = show_dir / f"{EPISODE}.yaml"
    edit(path, "summary: The hosts", f"summary: {'é' * 2001} The hosts")
    loaded = catalog.load(show_dir)
    path.write_text("# shifted\n" * 5 + path.read_text("utf-8"), "utf-8")  # after loading
    (problem,) = rules(checks.run(loaded, NOW))["description-length"]
    assert problem.line == 7  # the line it had when loaded; a re-read would say 12


def test_a_yml_episode_gets_lines_too(show_dir: Path) -> None:
    path = show_dir / f"{EPISODE}.yaml"
    edit(path, "summary: The hosts", f"summary: {'é' * 2001} The hosts")
    path.rename(path.with_suffix(".yml"))
    (problem,) = rules(run(show_dir))["description-length"]
    assert problem.path == path.with_suffix(".yml") and problem.line == 7
