"""HTTP behaviour through the Flask test client: validators, gzip, ranges, files, headers."""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from support.clock import NOW
from werkzeug.http import http_date, parse_date

from podcast.site.app import create_app
from podcast.site.live import STILL

AUDIO = "/audio/season-1/01-why-we-call-it-an-emergency.mp3"
AUDIO_FILE = Path("season-1/01-why-we-call-it-an-emergency.mp3")
DRAFT = """\
title: A scheduled episode
season: 3
episode: {number}
published: {published}
type: full
guid: {guid}
summary: Goes live on its own.
"""


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_app(show_dir: Path, **config: Any) -> Flask:
    """The app on the scratch show; the stat sweep runs only when a test asks for it."""
    settings = {
        "EPISODES_ROOT": show_dir,
        "CLOCK": lambda: NOW,
        "RELOAD_INTERVAL": None,
        "BASE_URL": "https://offthecharts.example",
    }
    return create_app({**settings, **config})


def sweep_until_loaded(app: Flask) -> bool:
    """Two sweeps: the first sees the change, the second loads it once it held still."""
    store = app.extensions["catalog"]
    return bool(store.sweep() or store.sweep())


def enclosures(feed: bytes) -> dict[str, int]:
    """Enclosure path → length, as apps read them from the feed."""
    items = etree.fromstring(feed).findall("channel/item/enclosure")
    return {e.get("url").split("offthecharts.example", 1)[1]: int(e.get("length")) for e in items}


def add_episode(show_dir: Path, data_dir: Path, stem: str, published: str) -> None:
    """A new, valid episode in season 3 with real audio; `stem` starts with its number."""
    shutil.copy(data_dir / "cbr.mp3", show_dir / "season-3" / f"{stem}.mp3")
    text = DRAFT.format(
        published=published, number=int(stem[:2]), guid=uuid.uuid5(uuid.NAMESPACE_URL, stem)
    )
    (show_dir / "season-3" / f"{stem}.yaml").write_text(text, encoding="utf-8")


# --- the feed and pages: rendered once, validators, 304 ------------------------------------


def test_feed_has_validators_and_cache_control(client: FlaskClient) -> None:
    response = client.get("/feed.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert response.headers["ETag"].startswith('"')  # strong: it names these exact bytes
    assert response.cache_control.public and response.cache_control.max_age == 300
    assert "Accept-Encoding" in response.vary
    assert int(response.headers["Content-Length"]) == len(response.data)


def test_feed_etag_is_a_function_of_the_bytes(show_dir: Path) -> None:
    first, second = make_app(show_dir).test_client(), make_app(show_dir).test_client()
    one, two = first.get("/feed.xml"), second.get("/feed.xml")
    assert one.data == two.data
    assert one.headers["ETag"] == two.headers["ETag"]  # every gunicorn worker agrees


def test_if_none_match_gives_304_without_a_body(client: FlaskClient) -> None:
    etag = client.get("/feed.xml").headers["ETag"]
    response = client.get("/feed.xml", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert "Accept-Encoding" in response.vary and response.cache_control.max_age == 300
    # what apps get every few minutes, forever: the validators, not the page's policies
    assert "Content-Security-Policy" not in response.headers
    assert client.get("/feed.xml", headers={"If-None-Match": '"other"'}).status_code == 200


def test_if_modified_since_gives_304_until_the_catalog_changes(client: FlaskClient) -> None:
    modified = client.get("/feed.xml").headers["Last-Modified"]
    assert client.get("/feed.xml", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = http_date(parse_date(modified) - timedelta(seconds=1))  # type: ignore[operator]
    assert client.get("/feed.xml", headers={"If-Modified-Since": earlier}).status_code == 200


def test_if_none_match_wins_over_if_modified_since(client: FlaskClient) -> None:
    modified = client.get("/feed.xml").headers["Last-Modified"]
    headers = {"If-None-Match": '"stale"', "If-Modified-Since": modified}
    assert client.get("/feed.xml", headers=headers).status_code == 200  # RFC 9110 §13.1.3


def test_preconditions_that_fail_give_412(client: FlaskClient) -> None:
    etag = client.get("/feed.xml").headers["ETag"]
    assert client.get("/feed.xml", headers={"If-Match": etag}).status_code == 200
    assert client.get("/feed.xml", headers={"If-Match": '"other"'}).status_code == 412
    modified = parse_date(client.get("/feed.xml").headers["Last-Modified"])
    before = http_date(modified - timedelta(seconds=1))  # type: ignore[operator]
    assert client.get("/feed.xml", headers={"If-Unmodified-Since": before}).status_code == 412
    assert (
        client.get("/feed.xml", headers={"If-Unmodified-Since": http_date(modified)}).status_code
        == 200
    )


def test_last_modified_is_the_newest_file_not_the_clock(show_dir: Path) -> None:
    newest = datetime(2026, 6, 4, 5, 6, 7, tzinfo=UTC)  # after every publication, before NOW
    for path in [show_dir, *show_dir.rglob("*")]:
        os.utime(path, (newest.timestamp() - 86400,) * 2)
    os.utime(show_dir / AUDIO_FILE, (newest.timestamp(),) * 2)
    client = make_app(show_dir).test_client()
    for page in ("/feed.xml", "/", "/seasons/1/", "/episodes/s1-01-why-we-call-it-an-emergency/"):
        assert client.get(page).headers["Last-Modified"] == http_date(newest), page


def test_pages_have_validators_and_answer_304(client: FlaskClient) -> None:
    for page in ("/", "/seasons/2/", "/episodes/s2-01-access-to-care/"):
        first = client.get(page)
        assert first.status_code == 200 and first.mimetype == "text/html"
        assert first.headers["ETag"] and first.headers["Last-Modified"], page
        again = client.get(page, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, page


def test_a_page_is_rendered_once_then_answered_from_memory(app: Flask) -> None:
    reached_flask: list[str] = []
    app.before_request(lambda: reached_flask.append("hit") and None)
    client = app.test_client()
    first = client.get("/feed.xml")
    for _ in range(5):
        again = client.get("/feed.xml")
        assert again.data == first.data
    assert reached_flask == ["hit"]  # the other five never entered a view


def test_the_fast_path_answers_with_the_same_headers_as_the_view(client: FlaskClient) -> None:
    for page, headers in (("/seasons/1/", {}), ("/seasons/2/", {"Accept-Encoding": "gzip"})):
        rendered = client.get(page, headers=headers)
        remembered = client.get(page, headers=headers)
        assert remembered.data == rendered.data
        assert sorted((k, v) for k, v in remembered.headers if k != "Date") == sorted(
            (k, v) for k, v in rendered.headers if k != "Date"
        )


def test_headers_a_view_adds_are_kept_with_its_page(client: FlaskClient) -> None:
    chapters = "/episodes/s1-01-why-we-call-it-an-emergency/chapters.json"
    for response in (client.get(chapters), client.get(chapters)):  # rendered, remembered
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers.getlist("Access-Control-Allow-Origin") == ["*"]
    etag = response.headers["ETag"]
    revalidated = client.get(chapters, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.headers["Access-Control-Allow-Origin"] == "*"


def test_head_has_the_get_headers_and_no_body(client: FlaskClient) -> None:
    for page in ("/feed.xml", "/feed.xml", "/", AUDIO):  # the feed twice: view, then memory
        with client.get(page) as got, client.head(page) as head:
            assert head.status_code == 200 and head.data == b""
            assert head.headers["Content-Length"] == got.headers["Content-Length"], page
            assert head.headers["ETag"] == got.headers["ETag"], page


def test_a_draft_goes_live_at_its_time_without_a_reload(show_dir: Path, data_dir: Path) -> None:
    live = datetime(2027, 1, 5, 12, tzinfo=UTC)
    add_episode(show_dir, data_dir, "03-scheduled", live.isoformat())
    clock = Clock(live - timedelta(minutes=1))
    client = make_app(show_dir, CLOCK=clock).test_client()
    before = client.get("/feed.xml")
    assert b"A scheduled episode" not in before.data
    assert client.get("/episodes/s3-03-scheduled/").status_code == 404
    assert client.get("/audio/season-3/03-scheduled.mp3").status_code == 404
    clock.now = live
    after = client.get("/feed.xml", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and b"A scheduled episode" in after.data
    assert after.headers["Last-Modified"] == http_date(live)
    assert client.get("/episodes/s3-03-scheduled/").status_code == 200


def test_last_modified_is_never_in_the_future(show_dir: Path) -> None:
    client = make_app(show_dir, CLOCK=lambda: datetime(2020, 1, 1, tzinfo=UTC)).test_client()
    modified = parse_date(client.get("/feed.xml").headers["Last-Modified"])
    assert modified == datetime(2020, 1, 1, tzinfo=UTC)


# --- gzip ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["/feed.xml", "/", "/episodes/s1-01-why-we-call-it-an-emergency/", "/static/style.css"]
)
def test_gzip_round_trips_for_text(client: FlaskClient, page: str) -> None:
    plain = client.get(page)
    zipped = client.get(page, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.headers.get("Content-Encoding") is None
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data)
    assert "Accept-Encoding" in plain.vary and "Accept-Encoding" in zipped.vary
    assert zipped.headers["ETag"] == "W/" + plain.headers["ETag"].removeprefix("W/")
    plain.close()
    zipped.close()


def test_the_gzip_etag_revalidates(client: FlaskClient) -> None:
    zipped = client.get("/feed.xml", headers={"Accept-Encoding": "gzip"})
    again = client.get(
        "/feed.xml", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert again.status_code == 304 and again.headers["ETag"] == zipped.headers["ETag"]


@pytest.mark.parametrize("accept", ["gzip;q=0", "identity", "br", ""])
def test_no_gzip_unless_accepted(client: FlaskClient, accept: str) -> None:
    response = client.get("/feed.xml", headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") is None
    assert response.data.startswith(b"<?xml")


def test_audio_is_never_gzipped(client: FlaskClient) -> None:
    for headers in (
        {"Accept-Encoding": "gzip"},
        {"Accept-Encoding": "gzip", "Range": "bytes=0-99"},
    ):
        response = client.get(AUDIO, headers=headers)
        assert response.headers.get("Content-Encoding") is None
        assert "Accept-Encoding" not in response.vary
        response.close()


# --- audio and other files -------------------------------------------------------------------


def test_audio_length_type_and_validators_match_the_feed(client: FlaskClient) -> None:
    lengths = enclosures(client.get("/feed.xml").data)
    assert len(lengths) == 7
    for path, length in lengths.items():
        with client.head(path) as response:
            assert response.status_code == 200, path
            assert int(response.headers["Content-Length"]) == length
            assert response.headers["Accept-Ranges"] == "bytes"
            assert response.mimetype in ("audio/mpeg", "audio/x-m4a")
            assert response.headers["ETag"] and response.headers["Last-Modified"]


@pytest.mark.parametrize(
    ("header", "status", "content_range", "start", "stop"),
    [
        ("bytes=0-1", 206, "bytes 0-1/{size}", 0, 2),
        ("bytes=100-", 206, "bytes 100-{last}/{size}", 100, None),
        ("bytes=-500", 206, "bytes {tail}-{last}/{size}", -500, None),
        ("bytes=0-999999999", 206, "bytes 0-{last}/{size}", 0, None),
        ("bytes=999999999-", 416, "bytes */{size}", None, None),
        ("bytes=0-1,4-5", 200, None, 0, None),  # several ranges: the whole file, as allowed
        ("items=0-1", 200, None, 0, None),  # an unknown unit MUST be ignored
    ],
)
def test_byte_ranges(
    client: FlaskClient,
    show_dir: Path,
    header: str,
    status: int,
    content_range: str | None,
    start: int | None,
    stop: int | None,
) -> None:
    whole = (show_dir / AUDIO_FILE).read_bytes()
    size = len(whole)
    response = client.get(AUDIO, headers={"Range": header})
    assert response.status_code == status
    expected = content_range and content_range.format(size=size, last=size - 1, tail=size - 500)
    assert response.headers.get("Content-Range") == expected
    if start is not None:
        assert response.data == whole[start:stop]
        assert int(response.headers["Content-Length"]) == len(response.data)
    response.close()


def test_range_is_ignored_on_head_and_on_304(client: FlaskClient, show_dir: Path) -> None:
    size = (show_dir / AUDIO_FILE).stat().st_size
    with client.head(AUDIO, headers={"Range": "bytes=0-1"}) as head:
        assert head.status_code == 200 and int(head.headers["Content-Length"]) == size
    etag = head.headers["ETag"]
    with client.get(AUDIO, headers={"Range": "bytes=0-1", "If-None-Match": etag}) as cached:
        assert cached.status_code == 304


def test_if_range(client: FlaskClient) -> None:
    with client.head(AUDIO) as head:
        etag = head.headers["ETag"]
    current = client.get(AUDIO, headers={"Range": "bytes=0-1", "If-Range": etag})
    stale = client.get(AUDIO, headers={"Range": "bytes=0-1", "If-Range": '"old"'})
    assert current.status_code == 206 and len(current.data) == 2
    assert stale.status_code == 200 and len(stale.data) > 2
    current.close()
    stale.close()


def test_artwork_is_served_with_ranges(client: FlaskClient, show_dir: Path) -> None:
    response = client.get("/artwork.jpg", headers={"Range": "bytes=0-2"})
    assert response.status_code == 206 and response.data == b"\xff\xd8\xff"
    assert response.mimetype == "image/jpeg"
    response.close()


@pytest.mark.parametrize(
    "path",
    [
        "/audio/season-1/../show.yaml",
        "/audio/..%2fshow.yaml",
        "/audio/season-1%2f..%2f..%2fshow.yaml",
        "/audio/%2e%2e/%2e%2e/etc/passwd",
        "/audio/%252e%252e%252fshow.yaml",
        "/audio/season-1\\..\\show.yaml",
        "/audio/season-1/01-why-we-call-it-an-emergency.mp3%00.yaml",
        "/audio/season-1/01-why-we-call-it-an-emergency.yaml",
        "/audio/%2Fetc%2Fpasswd",
        "/audio/season-1/",
        "/audio/",
        "/show.yaml",
        "/season-1/01-why-we-call-it-an-emergency.mp3",
        "/static/",
        "/static/../app.py",
    ],
)
def test_nothing_outside_the_catalog_is_served(client: FlaskClient, path: str) -> None:
    response = client.get(path, follow_redirects=True)  # "//" is redirected to "/" first
    assert response.status_code == 404, path
    assert b"ID3" not in response.data and b"title:" not in response.data


def test_a_stray_file_in_the_folder_is_not_served(
    client: FlaskClient, show_dir: Path, data_dir: Path
) -> None:
    shutil.copy(data_dir / "cbr.mp3", show_dir / "season-1" / "stray.mp3.bak")
    shutil.copy(data_dir / "cbr.mp3", show_dir / "season-1" / ".hidden.mp3")
    assert client.get("/audio/season-1/stray.mp3.bak").status_code == 404
    assert client.get("/audio/season-1/.hidden.mp3").status_code == 404


def test_a_symlink_swapped_in_after_loading_is_refused(
    client: FlaskClient, show_dir: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.mp3"
    secret.write_bytes(b"not for listeners")
    (show_dir / AUDIO_FILE).unlink()
    (show_dir / AUDIO_FILE).symlink_to(secret)
    response = client.get(AUDIO)
    assert response.status_code == 404
    assert b"not for listeners" not in response.data


def test_audio_removed_before_the_reload_is_404(client: FlaskClient, show_dir: Path) -> None:
    (show_dir / AUDIO_FILE).unlink()
    assert client.get(AUDIO).status_code == 404


# --- security headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    ["/", "/seasons/1/", "/episodes/s3-02-community-voices/", "/feed.xml", "/nowhere", AUDIO],
)
def test_security_headers_everywhere(client: FlaskClient, page: str) -> None:
    for _ in range(2):  # rendered, then answered from memory
        response = client.get(page)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert len(response.headers.getlist("Content-Security-Policy")) == 1
        response.close()


@pytest.mark.parametrize(
    "page",
    [
        "/",
        "/seasons/1/",
        "/episodes/s1-01-why-we-call-it-an-emergency/",
        "/episodes/s2-01-access-to-care/",
        "/nowhere",
    ],
)
def test_pages_satisfy_their_own_policy(client: FlaskClient, page: str) -> None:
    html = BeautifulSoup(client.get(page).data, "html.parser")
    assert not html.find("style") and not html.find(attrs={"style": True})
    for script in html.find_all("script"):
        if script.get("type", "text/javascript") not in ("text/javascript", "module"):
            continue  # a data block such as JSON-LD: never run, so not the policy's business
        assert script.get("src"), "inline script"
        assert _same_origin(script["src"])
    for tag in html.find_all(True):
        handlers = [name for name in tag.attrs if name.lower().startswith("on")]
        assert not handlers, f"inline handler {handlers} on <{tag.name}>"
        if tag.name == "a":
            assert not str(tag.get("href", "")).lower().startswith("javascript:")
    for link in html.find_all("link", rel="stylesheet"):
        assert _same_origin(link["href"])
    for media in html.find_all(["audio", "source", "video"]):
        if media.get("src"):
            assert _same_origin(media["src"])


def test_a_media_host_is_allowed_by_its_origin(show_dir: Path) -> None:
    app = make_app(show_dir, MEDIA_BASE_URL="https://media.example:8443/podcast/audio")
    client = app.test_client()
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "media-src 'self' https://media.example:8443;" in policy
    html = BeautifulSoup(
        client.get("/episodes/s1-01-why-we-call-it-an-emergency/").data, "html.parser"
    )
    assert html.find("source")["src"].startswith("https://media.example:8443/")


def _same_origin(url: str) -> bool:
    return (url.startswith("/") and not url.startswith("//")) or url.startswith(
        "https://offthecharts.example/"
    )


# --- live reload (the store, swept by hand) ----------------------------------------------------


def test_an_added_episode_appears_after_the_change_holds_still(
    show_dir: Path, data_dir: Path
) -> None:
    app = make_app(show_dir)
    client = app.test_client()
    before = client.get("/feed.xml")
    add_episode(show_dir, data_dir, "03-new", "2026-02-01T06:00:00Z")
    store = app.extensions["catalog"]
    assert store.sweep() is False  # seen, but maybe still being copied
    assert client.get("/feed.xml").data == before.data
    assert store.sweep() is True
    after = client.get("/feed.xml", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert "/audio/season-3/03-new.mp3" in enclosures(after.data)
    with client.get("/audio/season-3/03-new.mp3") as audio:
        assert audio.status_code == 200


def _date(paths: list[Path], seconds_ago: float) -> None:
    moment = time.time() - seconds_ago
    for path in paths:
        os.utime(path, (moment, moment))


def test_a_change_untouched_for_a_while_loads_on_the_first_sweep(
    show_dir: Path, data_dir: Path
) -> None:
    """A worker forked long ago (gunicorn preloads the app) must not serve its boot-time
    catalog for one more interval once a request comes: a change this old is written in full."""
    store = make_app(show_dir).extensions["catalog"]
    add_episode(show_dir, data_dir, "03-new", "2026-02-01T06:00:00Z")
    _date([show_dir / "season-3", *(show_dir / "season-3").glob("03-new.*")], 60)
    assert store.sweep() is True
    assert "season-3/03-new.mp3" in store.snapshot().audio


def test_a_file_dated_in_the_future_still_waits_for_a_second_sweep(
    show_dir: Path, data_dir: Path
) -> None:
    store = make_app(show_dir).extensions["catalog"]
    add_episode(show_dir, data_dir, "03-new", "2026-02-01T06:00:00Z")
    _date([show_dir / "season-3", *(show_dir / "season-3").glob("03-new.*")], -3600)
    assert store.sweep() is False  # a clock that disagrees says nothing about being still
    assert store.sweep() is True


def test_a_pending_change_is_looked_at_again_once_it_has_held_still(
    show_dir: Path, data_dir: Path
) -> None:
    """The next look comes when the change is STILL seconds old, not a whole interval later."""
    store = make_app(show_dir, RELOAD_INTERVAL=3600).extensions["catalog"]
    add_episode(show_dir, data_dir, "03-new", "2026-02-01T06:00:00Z")
    _date([show_dir / "season-3", *(show_dir / "season-3").glob("03-new.*")], STILL - 1.0)
    assert store.sweep() is False  # a second old: maybe still being copied
    assert store.poll() is False  # not due yet
    time.sleep(1.5)
    assert store.poll() is True
    assert "season-3/03-new.mp3" in store.snapshot().audio


def test_a_change_that_leaves_the_content_alone_keeps_the_etag(show_dir: Path) -> None:
    app = make_app(show_dir)
    client = app.test_client()
    before = client.get("/feed.xml").headers["ETag"]
    (show_dir / "season-1" / "notes.txt").write_text("a producer's scratch file")
    assert sweep_until_loaded(app)
    assert client.get("/feed.xml").headers["ETag"] == before


def test_a_removed_episode_disappears_and_last_modified_moves_on(show_dir: Path) -> None:
    app = make_app(show_dir, CLOCK=lambda: datetime.now(UTC))
    client = app.test_client()
    old = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    for path in [show_dir, *show_dir.rglob("*")]:
        os.utime(path, (old, old))
    assert sweep_until_loaded(app)
    before = client.get("/feed.xml")
    (show_dir / "season-1" / "01-why-we-call-it-an-emergency.yaml").unlink()
    assert sweep_until_loaded(app)
    after = client.get("/feed.xml", headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200  # a client that only sends a date still sees the removal
    assert AUDIO not in enclosures(after.data)
    assert client.get(AUDIO).status_code == 404


def test_a_broken_file_keeps_the_last_good_catalog(
    show_dir: Path, write: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(show_dir)
    client = app.test_client()
    before = client.get("/feed.xml")
    broken = write("season-3/03-broken.yaml", "title: Broken\nseason: 3\npublished: yesterday\n")
    with caplog.at_level(logging.ERROR, logger="podcast"):
        assert not sweep_until_loaded(app)
    assert f"{broken}:3:" in caplog.text  # the file and the line of the bad value
    assert "still serving the last good catalog" in caplog.text
    again = client.get("/feed.xml", headers={"If-None-Match": before.headers["ETag"]})
    assert again.status_code == 304
    caplog.clear()
    assert app.extensions["catalog"].sweep() is False  # the same broken state: not reloaded
    assert caplog.text == ""
    broken.unlink()
    assert not sweep_until_loaded(app)  # back to the loaded state: nothing to do
    assert client.get("/feed.xml").data == before.data


def test_reload_interval_is_honoured(show_dir: Path, data_dir: Path) -> None:
    app = make_app(show_dir, RELOAD_INTERVAL=3600)
    client = app.test_client()
    before = client.get("/feed.xml").data
    add_episode(show_dir, data_dir, "03-new", "2026-02-01T06:00:00Z")
    for _ in range(3):
        assert client.get("/feed.xml").data == before  # no sweep for an hour
    every_request = make_app(show_dir, RELOAD_INTERVAL=0).test_client()
    add_episode(show_dir, data_dir, "04-newer", "2026-02-02T06:00:00Z")
    assert b"04-newer" not in every_request.get("/feed.xml").data
    assert b"04-newer" in every_request.get("/feed.xml").data


def test_concurrent_first_requests_render_the_feed_once(app: Flask) -> None:
    reached_flask: list[str] = []
    app.before_request(lambda: reached_flask.append("hit") and None)
    start = threading.Barrier(8)
    bodies: list[bytes] = []

    def fetch() -> None:
        client = app.test_client()
        start.wait()
        bodies.append(client.get("/feed.xml").data)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(bodies) == 8 and len(set(bodies)) == 1
    assert reached_flask == ["hit"]  # seven threads waited for the first render and reused it


def test_pages_that_read_the_query_string_are_kept_per_query(client: FlaskClient) -> None:
    def titles(query: str) -> list[str]:
        page = BeautifulSoup(client.get(f"/search/?q={query}").data, "html.parser")
        return [a.get_text(strip=True) for a in page.select("main a[href^='/episodes/']")]

    for _ in range(2):  # rendered, then answered from memory
        trust, access = titles("trust"), titles("access")
        assert trust and access and trust != access
