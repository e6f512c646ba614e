"""Transcripts: WebVTT and SRT read into cues, served as files and shown on the episode page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from support.clock import NOW

from podcast.errors import Severity
from podcast.read import transcripts
from podcast.read.catalog import load
from podcast.read.transcripts import Cue, TranscriptError
from podcast.site.app import create_app

EMERGENCY = "s1-01-why-we-call-it-an-emergency"
ACCESS = "s2-01-access-to-care"


def write_file(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


# --- parsing -------------------------------------------------------------------------------------


def test_shipped_webvtt_has_speakers_and_times(show_dir: Path) -> None:
    cues = transcripts.parse(show_dir / "season-1" / "01-why-we-call-it-an-emergency.vtt")
    assert len(cues) == 6
    assert cues[0] == Cue(0.25, 2.025, "Welcome to this sample episode.", "Dr. Kari Haley")
    assert cues[2].speaker == "Dr. Steven Jackson"
    assert cues[2].text == "And I'm Steven Jackson."


def test_shipped_srt_has_times_without_speakers(show_dir: Path) -> None:
    cues = transcripts.parse(show_dir / "season-2" / "01-access-to-care.srt")
    assert [(c.start, c.speaker) for c in cues] == [(0.25, None), (3.113, None), (8.157, None)]
    assert cues[1].text.startswith("Access can depend on distance")


def test_webvtt_features(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "x.vtt",
        "\ufeffWEBVTT - a title\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "NOTE written by hand,\nacross two lines\n\n"
        "intro\n"
        "00:01.000 --> 00:04.500 align:start line:0\n"
        "<v.loud Esme Fiddle>Hello &amp; <i>welcome</i>\nto the <c.big>show</c>.</v>\n\n"
        "00:04.500 --> 00:06.000\n"
        "Still Esme <00:05.000>speaking.\n\n"
        "01:00:00.000 --> 01:00:02.000\n"
        "<v Mary>Past the hour &lt;3\n",
    )
    assert transcripts.parse(path) == (
        Cue(1.0, 4.5, "Hello & welcome to the show.", "Esme Fiddle"),
        Cue(4.5, 6.0, "Still Esme speaking.", "Esme Fiddle"),  # the speaker carries over
        Cue(3600.0, 3602.0, "Past the hour <3", "Mary"),
    )


def test_srt_speaker_convention_and_crlf(tmp_path: Path) -> None:
    # the Podcasting 2.0 transcript guide: "Name:" starts a cue when the speaker changes
    path = write_file(
        tmp_path,
        "x.srt",
        "1\r\n00:00:00,000 --> 00:00:02,760\r\nSarah: In today's episode,\r\nyou'll learn\r\n\r\n"
        "2\r\n00:00:02,760 --> 00:00:06,090\r\nshould you have a trailer.\r\n\r\n"
        "3\r\n00:00:19,080 --> 00:00:21,450\r\nGillian: Hi Buzzsprout\r\n",
    )
    assert [(c.speaker, c.text) for c in transcripts.parse(path)] == [
        ("Sarah", "In today's episode, you'll learn"),
        ("Sarah", "should you have a trailer."),
        ("Gillian", "Hi Buzzsprout"),
    ]


def test_an_edited_transcript_is_read_again(tmp_path: Path) -> None:
    path = write_file(tmp_path, "x.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nOne\n")
    assert [c.text for c in transcripts.parse(path)] == ["One"]
    write_file(tmp_path, "x.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nOne, two\n")
    assert [c.text for c in transcripts.parse(path)] == ["One, two"]


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        ("a.vtt", "1\n00:00:01,000 --> 00:00:02,000\nHi\n", 1, "must start with the line 'WEBVTT'"),
        ("b.vtt", "WEBVTT\n\n00:01.000 -> 00:02.000\nHi\n", 3, "expected a cue timing"),
        ("c.vtt", "WEBVTT\n\n\n00:05.000 --> 00:02.000\nHi\n", 4, "ends before it starts"),
        ("d.srt", "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:9 --> x\nYo\n", 6, "timing"),
        ("e.vtt", b"WEBVTT\n\n00:01.000 --> 00:02.000\n\xff\xfeHi\n", None, "not UTF-8"),
    ],
)
def test_malformed_transcripts_name_file_and_line(
    tmp_path: Path, name: str, text: str | bytes, line: int | None, message: str
) -> None:
    path = write_file(tmp_path, name, text)
    with pytest.raises(TranscriptError) as caught:
        transcripts.parse(path)
    problem = caught.value.problem
    assert (problem.path, problem.line) == (path, line)
    assert message in problem.message
    assert problem.hint


def test_clock_and_seconds() -> None:
    assert transcripts.clock(0.25) == "00:00"
    assert transcripts.clock(754.9) == "12:34"
    assert transcripts.clock(3723) == "1:02:03"
    assert transcripts.seconds_text(0.25) == "0.25"
    assert transcripts.seconds_text(4.0) == "4"


def test_plain_text_for_search(show_dir: Path) -> None:
    cues = transcripts.parse(show_dir / "season-3" / "01-trust-in-medicine.vtt")
    text = transcripts.plain_text(cues)
    assert "Sample Guest: I am a sample guest" in text.splitlines()[1]


# --- check rules ---------------------------------------------------------------------------------


def test_shipped_transcripts_pass(show_dir: Path) -> None:
    for episode in load(show_dir).episodes:
        assert transcripts.problems(episode) == (), episode.slug


def test_check_rules(show_dir: Path) -> None:
    vtt = show_dir / "season-1" / "01-why-we-call-it-an-emergency.vtt"
    episode = next(e for e in load(show_dir).episodes if e.slug == EMERGENCY)
    vtt.write_text("WEBVTT\n\n00:00:30.000 --> 00:00:31.000\nToo late\n", encoding="utf-8")
    (late,) = transcripts.problems(episode)
    assert (late.rule, late.severity, late.path) == ("transcript-duration", Severity.WARNING, vtt)
    vtt.write_text("WEBVTT\n", encoding="utf-8")
    (empty,) = transcripts.problems(episode)
    assert (empty.rule, empty.severity) == ("transcript-empty", Severity.WARNING)
    vtt.write_text("WEBVTT\n\nnot a timing\nHello\n", encoding="utf-8")
    (broken,) = transcripts.problems(episode)
    assert (broken.rule, broken.severity, broken.line) == ("transcript-format", Severity.ERROR, 3)


# --- served files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "name", "mimetype", "source"),
    [
        (EMERGENCY, "transcript.vtt", "text/vtt", "season-1/01-why-we-call-it-an-emergency.vtt"),
        (ACCESS, "transcript.srt", "application/x-subrip", "season-2/01-access-to-care.srt"),
    ],
)
def test_transcript_files_are_served_with_their_type(
    client: FlaskClient, show_dir: Path, slug: str, name: str, mimetype: str, source: str
) -> None:
    with client.get(f"/episodes/{slug}/{name}") as response:
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.data == (show_dir / source).read_bytes()


def test_only_the_real_transcript_file_is_served(client: FlaskClient) -> None:
    assert client.get(f"/episodes/{ACCESS}/transcript.vtt").status_code == 404
    assert client.get(f"/episodes/{EMERGENCY}/transcript.srt").status_code == 404
    assert client.get("/episodes/no-such-episode/transcript.vtt").status_code == 404


# --- the episode page ------------------------------------------------------------------------


def page(client: FlaskClient, slug: str) -> BeautifulSoup:
    response = client.get(f"/episodes/{slug}/")
    assert response.status_code == 200
    return BeautifulSoup(response.data, "lxml")


def test_transcript_panel_follows_the_markup_contract(client: FlaskClient, show_dir: Path) -> None:
    soup = page(client, EMERGENCY)
    panel = soup.select_one("section#transcript")
    assert panel["aria-labelledby"] == "transcript-heading"
    assert panel.find("h2", id="transcript-heading").get_text() == "Transcript"
    cues = panel.select(".cue")
    expected = transcripts.parse(show_dir / "season-1" / "01-why-we-call-it-an-emergency.vtt")
    assert len(cues) == len(expected) == 6
    for element, cue in zip(cues, expected, strict=True):
        seconds = transcripts.seconds_text(cue.start)
        assert element["data-start"] == seconds
        link = element.find("a", class_="cue-time")
        assert link["href"] == f"#t={seconds}"
        assert link.get_text() == transcripts.clock(cue.start)
        assert element.find("span", class_="speaker").get_text() == cue.speaker
        assert cue.text in element.get_text(" ", strip=True)
    assert cues[0]["data-start"] == "0.25"
    download = panel.find("a", string="Download transcript (WebVTT)")
    assert download["href"] == f"/episodes/{EMERGENCY}/transcript.vtt"


def test_srt_panel_has_no_speakers_and_links_the_srt(client: FlaskClient) -> None:
    panel = page(client, ACCESS).select_one("#transcript")
    assert len(panel.select(".cue")) == 3
    assert panel.select(".speaker") == []
    assert panel.find("a", string="Download transcript (SRT)")["href"].endswith("transcript.srt")


def test_a_broken_transcript_keeps_the_page_and_its_link(
    show_dir: Path, write: Callable[[str, str], Path]
) -> None:
    write("season-1/01-why-we-call-it-an-emergency.vtt", "no header here\n")
    client = create_app({"EPISODES_ROOT": show_dir, "CLOCK": lambda: NOW}).test_client()
    panel = page(client, EMERGENCY).select_one("#transcript")
    assert panel.select(".cue") == []
    assert panel.find("a", string="Download transcript (WebVTT)") is not None


def test_player_script_is_external_deferred_and_served(client: FlaskClient) -> None:
    soup = page(client, EMERGENCY)
    assert soup.find("audio", id="player") is not None
    # JSON-LD is data, not script; everything that runs is an external, deferred file
    scripts = [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"]
    assert sorted((s.get("src"), s.has_attr("defer"), s.string) for s in scripts) == [
        ("/static/player.js", True, None),
        ("/static/site.js", True, None),
    ]
    # the CSP is script-src 'self' and style-src 'self': no inline handlers or styles
    for element in soup.find_all(True):
        assert not any(a.startswith("on") or a == "style" for a in element.attrs), element.name
    with client.get("/static/player.js") as response:
        assert response.status_code == 200
        assert b"chapter-link" in response.data and b"cue-time" in response.data
