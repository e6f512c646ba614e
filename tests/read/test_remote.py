"""Episodes whose audio stays at another host (`enclosure:`) and `soundbites:`, end to end:
the catalog reads the YAML, the feed and the site use the URL unchanged, and check validates.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from flask.testing import FlaskClient
from lxml import etree
from support.clock import NOW
from support.servers import static_server

from podcast.checks import rules
from podcast.cli import cli
from podcast.errors import CatalogError
from podcast.read.catalog import load
from podcast.render import feed

Write = Callable[[str, str], Path]
URL = "https://old-host.example/media/ep%209.mp3?source=feed"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def remote_yaml(enclosure: str, extra: str = "") -> str:
    return (
        "title: Kept at the old host\nseason: 1\nepisode: 9\n"
        "published: 2022-03-01T06:00:00-06:00\nguid: https://old-host.example/?p=9\n"
        f"guid_is_permalink: true\nenclosure:\n{enclosure}{extra}"
    )


ENCLOSURE = f'  url: "{URL}"\n  length: 48213\n  type: audio/mpeg\n  duration: "1:02:03"\n'
SOUNDBITES = (
    'soundbites:\n  - {start: "00:01:00", duration: "00:00:30.5", title: The hook}\n'
    "  - {start: 90, duration: 15}\n"
)


@pytest.fixture
def remote(write: Write) -> Path:
    return write("season-1/09-kept.yaml", remote_yaml(ENCLOSURE, SOUNDBITES))


def test_the_yaml_is_the_source(show_dir: Path, remote: Path) -> None:
    episode = load(show_dir).find("s1-09-kept")
    assert episode is not None
    audio = episode.audio
    assert (audio.path, audio.url, audio.size, audio.mime) == (None, URL, 48213, "audio/mpeg")
    assert audio.duration == timedelta(hours=1, minutes=2, seconds=3)
    assert episode.guid_is_permalink is True
    bites = [
        (b.start.total_seconds(), b.duration.total_seconds(), b.title) for b in episode.soundbites
    ]
    assert bites == [(60.0, 30.5, "The hook"), (90.0, 15.0, "")]


def test_feed_uses_the_url_permalink_and_soundbites(show_dir: Path, remote: Path) -> None:
    built = feed.build(load(show_dir), "https://new.example", now=NOW)
    items = {i.findtext("guid"): i for i in etree.fromstring(built).iter("item")}
    item = items["https://old-host.example/?p=9"]
    assert item.find("guid").get("isPermaLink") == "true"
    assert dict(item.find("enclosure").attrib) == {
        "url": URL,
        "length": "48213",
        "type": "audio/mpeg",
    }
    assert item.findtext("{http://www.itunes.com/dtds/podcast-1.0.dtd}duration") == "3723"
    bites = [
        (s.get("startTime"), s.get("duration"), s.text) for s in item.iter(f"{PODCAST}soundbite")
    ]
    assert bites == [("60", "30.5", "The hook"), ("90", "15", None)]
    others = [i for guid, i in items.items() if guid != "https://old-host.example/?p=9"]
    assert {i.find("guid").get("isPermaLink") for i in others} == {"false"}


def test_site_plays_the_url_and_serves_no_copy(remote: Path, client: FlaskClient) -> None:
    page = client.get("/episodes/s1-09-kept/")
    assert page.status_code == 200
    source = BeautifulSoup(page.data, "html.parser").select_one("audio source")
    assert source is not None and source["src"] == URL
    assert client.get("/audio/season-1/09-kept.mp3").status_code == 404


@pytest.mark.parametrize(
    ("enclosure", "message"),
    [
        ('  length: 10\n  duration: "0:10"\n', "missing required key 'url'"),
        ('  url: ftp://x/y.mp3\n  length: 10\n  duration: "0:10"\n', "not an absolute http(s)"),
        (f'  url: "{URL}"\n  length: 0\n  duration: "0:10"\n', "size in bytes"),
        (f'  url: "{URL}"\n  length: 10\n  type: text/html\n  duration: "0:10"\n', "not audio"),
        (f'  url: "{URL}"\n  length: 10\n  duration: soon\n', "'duration' is not a time"),
        (f'  url: "{URL}"\n  length: 10\n', "missing required key 'duration'"),
        (ENCLOSURE + "audio: 09-kept.mp3\n", "both 'audio' and 'enclosure'"),
    ],
)
def test_a_bad_enclosure_names_file_and_line(
    show_dir: Path, write: Write, enclosure: str, message: str
) -> None:
    path = write("season-1/09-kept.yaml", remote_yaml(enclosure))
    with pytest.raises(CatalogError) as caught:
        load(show_dir)
    found = [p for p in caught.value.problems if message in p.message]
    assert found and found[0].path == path and found[0].line is not None, caught.value.problems


@pytest.mark.parametrize(
    ("bite", "message"),
    [
        ('{start: "1:01:50", duration: 20}', "ends after the audio (01:02:03)"),
        ('{start: "00:10:00", duration: 0, title: Empty}', "soundbite 'Empty' at 00:10:00 lasts"),
    ],
)
def test_check_flags_soundbites_outside_the_audio(
    show_dir: Path, write: Write, bite: str, message: str
) -> None:
    write("season-1/09-kept.yaml", remote_yaml(ENCLOSURE, f"soundbites:\n  - {bite}\n"))
    found = [p for p in rules.run(load(show_dir), NOW) if p.rule == "soundbite"]
    assert len(found) == 1 and message in found[0].message, found
    assert found[0].line is not None


def test_good_soundbites_pass(show_dir: Path, remote: Path) -> None:
    assert not [p for p in rules.run(load(show_dir), NOW) if p.rule == "soundbite"]


@pytest.fixture
def media(tmp_path: Path, data_dir: Path) -> Iterator[str]:
    folder = tmp_path / "old-host"
    folder.mkdir()
    shutil.copyfile(data_dir / "cbr.mp3", folder / "ep.mp3")
    with static_server(folder) as base:
        yield base


def test_verify_remote_heads_each_url_only_when_asked(
    show_dir: Path, write: Write, media: str, data_dir: Path
) -> None:
    size = (data_dir / "cbr.mp3").stat().st_size
    enclosure = f'  url: "{media}/ep.mp3"\n  length: {size + 1}\n  duration: "0:03"\n'
    write("season-1/09-kept.yaml", remote_yaml(enclosure))
    missing = f'  url: "{media}/gone.mp3"\n  length: 5\n  duration: "0:03"\n'
    write(
        "season-1/10-gone.yaml",
        remote_yaml(missing).replace("p=9", "p=10").replace("episode: 9", "episode: 10"),
    )
    runner = CliRunner()
    plain = runner.invoke(cli, ["check", "--root", str(show_dir)])
    assert "remote-audio" not in plain.output
    result = runner.invoke(cli, ["check", "--root", str(show_dir), "--verify-remote"])
    assert result.exit_code == 1, result.output
    assert f"is {size} bytes; 'enclosure' says {size + 1}" in result.output
    assert "gone.mp3 does not answer (HTTP 404" in result.output


@pytest.mark.slow  # a whole static build
def test_build_and_deploy_plan_carry_no_copy(show_dir: Path, remote: Path, tmp_path: Path) -> None:
    from podcast.publish import deploy

    site = deploy.stage(show_dir, tmp_path / "site", "https://new.example", None)
    items = deploy.scan(site, deploy.CachePolicy())
    assert not [key for key in items if "09-kept" in key and key.startswith("audio/")]
    assert "episodes/s1-09-kept/index.html" in items
    plan = deploy.make_plan(items, None, 10)
    feeds = [item for item, _ in plan.uploads if item.kind is deploy.Kind.FEED]
    assert deploy.enclosures(feeds)["media/ep 9.mp3"] == 48213  # listed, never uploaded
    assert not [i for i, _ in plan.uploads if i.key.endswith("ep 9.mp3")]
