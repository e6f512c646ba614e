"""Strangers on the internet: traversal in every encoding, absurd ranges, huge requests, odd verbs.

The Flask test client covers the app's own answers; a real gunicorn on 127.0.0.1 covers what
only a server sees: raw request targets no client would normalise, request lines and headers
beyond any limit, and a 5 GiB file served with exact ranges. Nothing private may ever be
served, nothing may answer 500, and the server must still be up afterwards.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from support.clock import NOW
from support.outputs import BASE_URL, assert_feed_sound, assert_no_live_markup
from support.scratch import EPISODE_AUDIO, Scratch
from support.servers import Gunicorn

from podcast.site.app import create_app

SECRET = "SECRET-7f3a-do-not-serve"
AUDIO_URL = "/audio/" + EPISODE_AUDIO
GIANT = 5 * 1024**3 + 4321
GIANT_AUDIO = "season-1/02-giant.mp3"


def _hostile_show(root: Path, giant: bool = False) -> Scratch:
    """The scratch show plus secrets beside it and inside it that must never be served."""
    scratch = Scratch.create(root)
    (root.parent / "secret.txt").write_text(SECRET, "utf-8")
    scratch.write("season-1/private-notes.txt", SECRET)
    show = scratch.path("show.yaml")
    show.write_text(f"# {SECRET}\n" + show.read_text("utf-8"), "utf-8")
    if giant:
        scratch.episode(
            "season-1/02-giant.yaml", with_audio=True, title="Giant", episode=2, guid="giant-guid"
        )
        with scratch.path(GIANT_AUDIO).open("r+b") as stream:
            stream.truncate(GIANT)
    return scratch


@pytest.fixture
def hostile(tmp_path: Path) -> Scratch:
    """A show with secrets around it."""
    return _hostile_show(tmp_path / "show")


@pytest.fixture
def site(hostile: Scratch) -> FlaskClient:
    """The Flask test client on the hostile show."""
    app = create_app({"EPISODES_ROOT": hostile.root, "CLOCK": lambda: NOW, "BASE_URL": BASE_URL})
    return app.test_client()


# --- traversal -------------------------------------------------------------------------------

TARGETS = [
    "../secret.txt",
    "../../secret.txt",
    "show.yaml",
    "../show.yaml",
    "season-1/private-notes.txt",
    "../season-1/01-first.yaml",
    "../../../../etc/passwd",
]
ENCODINGS = {
    "plain": lambda p: p,
    "slash-%2f": lambda p: p.replace("/", "%2f"),
    "slash-%2F-upper": lambda p: p.replace("/", "%2F"),
    "dots-%2e": lambda p: p.replace(".", "%2e"),
    "all-encoded": lambda p: p.replace(".", "%2e").replace("/", "%2f"),
    "double-encoded": lambda p: p.replace(".", "%252e").replace("/", "%252f"),
    "backslash": lambda p: p.replace("/", "\\"),
    "backslash-%5c": lambda p: p.replace("/", "%5c"),
    "overlong-utf8": lambda p: p.replace(".", "%c0%ae").replace("/", "%c0%af"),
    "nul-suffix": lambda p: p + "%00.mp3",
    "dot-segments": lambda p: p.replace("../", "./.././"),
    "double-slash": lambda p: p.replace("../", "..//"),
}
PREFIXES = ["/", "/static/", "/audio/", "/audio/season-1/", "/episodes/", "/seasons/1/"]


@pytest.mark.parametrize(("prefix", "encoding"), list(itertools.product(PREFIXES, ENCODINGS)))
def test_traversal_never_serves_a_private_file(
    site: FlaskClient, prefix: str, encoding: str
) -> None:
    for target in TARGETS:
        url = prefix + ENCODINGS[encoding](target)
        with site.get(url) as response:
            assert response.status_code in (301, 308, 400, 404), url
            assert SECRET.encode() not in response.data, url
            assert b"root:" not in response.data, url
            if response.status_code in (301, 308):  # a redirect may only stay on this site
                assert response.location.startswith(("/", "http://localhost/")), url


def test_the_published_files_are_still_served(site: FlaskClient) -> None:
    """The traversal table above can fail: these neighbours of the secrets do answer 200."""
    for url in (AUDIO_URL, "/static/style.css", "/artwork.jpg", "/feed.xml"):
        with site.get(url) as response:
            assert response.status_code == 200, url


# --- ranges ----------------------------------------------------------------------------------

HUGE = "9" * 40
RANGES = {
    "first-byte": "bytes=0-0",
    "last-byte": "bytes=-1",
    "suffix-larger-than-file": "bytes=-99999999",
    "end-overflowing": f"bytes=0-{HUGE}",
    "start-overflowing": f"bytes={HUGE}-",
    "start-past-end": "bytes=40000-",
    "reversed": "bytes=500-100",
    "negative-zero": "bytes=-0",
    "double-dash": "bytes=0--1",
    "two-ranges": "bytes=0-1,2-3",
    "overlapping-ranges": "bytes=0-100,50-150,0-",
    "two-thousand-ranges": "bytes=" + ",".join(f"{i}-{i}" for i in range(2000)),
    "ten-thousand-repeats": "bytes=" + ",".join(["0-1"] * 10_000),
    "not-a-number": "bytes=abc-def",
    "unknown-unit": "items=0-1",
    "empty": "bytes=",
    "spaces": "bytes = 0 - 1",
    "unicode-digits": "bytes=٠-١",
}


@pytest.mark.parametrize("name", RANGES)
def test_absurd_range_headers_get_a_sane_answer(
    site: FlaskClient, hostile: Scratch, name: str
) -> None:
    data = hostile.path(EPISODE_AUDIO).read_bytes()
    with site.get(AUDIO_URL, headers={"Range": RANGES[name]}) as response:
        _assert_range_answer(response.status_code, dict(response.headers), response.data, data)


def _assert_range_answer(status: int, headers: dict[str, str], body: bytes, data: bytes) -> None:
    """200 with the whole file, 206 with exactly the slice it claims, or 416 naming the size."""
    headers = {k.lower(): v for k, v in headers.items()}
    size = len(data)
    if status == 200:
        assert body == data
    elif status == 206:
        unit, _, span = headers["content-range"].partition(" ")
        first, _, rest = span.partition("-")
        last, _, total = rest.partition("/")
        assert unit == "bytes" and int(total) == size
        assert 0 <= int(first) <= int(last) < size
        assert body == data[int(first) : int(last) + 1]
    else:
        assert status == 416, status
        assert headers["content-range"] == f"bytes */{size}"


@pytest.mark.parametrize(
    "header",
    [
        {"If-Range": "garbage"},
        {"If-Range": '"nonsense-etag"', "Range": "bytes=0-9"},
        {"If-None-Match": "*"},
        {"If-None-Match": ",".join(['"x"'] * 5000)},
        {"If-Modified-Since": "not a date"},
        {"If-Modified-Since": "Sat, 01 Jan 10000 00:00:00 GMT"},
        {"If-Unmodified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
    ],
    ids=lambda header: "+".join(header),
)
def test_odd_conditional_headers_never_break_a_response(
    site: FlaskClient, hostile: Scratch, header: dict[str, str]
) -> None:
    data = hostile.path(EPISODE_AUDIO).read_bytes()
    with site.get(AUDIO_URL, headers=header) as response:
        if response.status_code != 304:
            _assert_range_answer(response.status_code, dict(response.headers), response.data, data)
    for page in ("/", "/feed.xml"):
        with site.get(page, headers=header) as response:
            assert response.status_code in (200, 304, 412), page


# --- methods ---------------------------------------------------------------------------------

METHODS = ["POST", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "MKCOL", "BREW"]
URLS = ["/", "/feed.xml", AUDIO_URL, "/artwork.jpg", "/static/style.css", "/seasons/1/"]


@pytest.mark.parametrize("method", METHODS)
def test_methods_other_than_get_and_head_are_refused(
    site: FlaskClient, hostile: Scratch, method: str
) -> None:
    before = {p: p.stat().st_mtime_ns for p in hostile.root.rglob("*")}
    for url in URLS:
        with site.open(url, method=method, data=b"x" * 1000) as response:
            assert response.status_code == 405, (method, url)
            allowed = {m.strip() for m in response.headers["Allow"].split(",")}
            assert allowed <= {"GET", "HEAD", "OPTIONS"}, allowed
    assert {p: p.stat().st_mtime_ns for p in hostile.root.rglob("*")} == before


def test_head_and_options_carry_no_body(site: FlaskClient) -> None:
    for url in URLS:
        with site.head(url) as head, site.get(url) as get:
            assert head.status_code == get.status_code == 200
            assert head.data == b""
        with site.options(url) as options:
            assert options.data == b""


# --- a real server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    """gunicorn (two workers) on the hostile show with a 5 GiB sparse episode."""
    base = tmp_path_factory.mktemp("served")
    _hostile_show(base / "show", giant=True)
    running = Gunicorn(base / "show", base / "gunicorn.log")
    yield running
    running.stop()
    log = running.log.read_text(errors="replace")
    assert "Traceback" not in log and "Exception on" not in log, log


RAW_TARGETS = [
    b"/static/../../secret.txt",
    b"/static/../show.yaml",
    b"/../../../../etc/passwd",
    b"/audio/season-1/../show.yaml",
    b"/audio/season-1/%2e%2e/show.yaml",
    b"/audio/season-1/..%2fshow.yaml",
    b"/audio/%2e%2e%2f%2e%2e%2fsecret.txt",
    b"/audio/%252e%252e%252fsecret.txt",
    b"/static/..\\..\\secret.txt",
    b"/static/%5c..%5c..%5csecret.txt",
    b"/audio/season-1/private-notes.txt",
    b"/audio/season-1/01-first.mp3%00.txt",
    b"/static/style.css\x00",
    b"/audio/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt",
    b"http://127.0.0.1/static/../../secret.txt",
    b"//secret.txt",
    b"*",
    b"../secret.txt",
    b"/static/" + b"../" * 1000 + b"secret.txt",
]


@pytest.mark.parametrize("target", RAW_TARGETS, ids=lambda t: t.decode("latin-1")[:60])
@pytest.mark.slow  # a real gunicorn
def test_raw_traversal_against_gunicorn(server: Gunicorn, target: bytes) -> None:
    response = server.get(target)
    assert response.status in (301, 308, 400, 404, 414), response.raw[:200]
    assert SECRET.encode() not in response.raw
    assert b"root:" not in response.raw


@pytest.mark.parametrize(
    ("what", "request_bytes", "statuses"),
    [
        ("url-of-100k", b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", {414, 400}),
        (
            "header-of-64k",
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 65536 + b"\r\n\r\n",
            {431, 400},
        ),
        (
            "thousand-headers",
            b"GET / HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: y\r\n" % i for i in range(1000))
            + b"\r\n",
            {431, 400},
        ),
        (
            "range-of-200k",
            b"GET "
            + AUDIO_URL.encode()
            + b" HTTP/1.1\r\nHost: x\r\nRange: bytes="
            + b",".join(b"%d-%d" % (i, i) for i in range(30_000))
            + b"\r\n\r\n",
            {431, 400},
        ),
        ("garbage-request-line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", {400}),
        ("http-0.9", b"GET /\r\n\r\n", {400}),
        ("bad-version", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", {400, 505}),
        ("nul-in-header", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", {400}),
        ("space-in-header-name", b"GET / HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n", {400}),
        (
            "duplicate-content-length",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            {400},
        ),
        ("unknown-method", b"BREW /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n", {405, 400}),
        ("trace", b"TRACE / HTTP/1.1\r\nHost: x\r\nX-Secret: echo-me\r\n\r\n", {405}),
        ("connect", b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n", {400, 405}),
        (
            "post-with-body",
            b"POST /feed.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
            {405},
        ),
    ],
)
@pytest.mark.slow  # a real gunicorn
def test_oversized_and_malformed_requests(
    server: Gunicorn, what: str, request_bytes: bytes, statuses: set[int]
) -> None:
    response = server.request(request_bytes)
    assert response.status in statuses, response.raw[:300]
    assert b"echo-me" not in response.raw  # TRACE must not reflect headers


@pytest.mark.parametrize("name", RANGES)
@pytest.mark.slow  # a real gunicorn
def test_absurd_ranges_against_gunicorn(server: Gunicorn, name: str) -> None:
    data = (Path(__file__).parents[1] / "data" / "cbr.mp3").read_bytes()
    response = server.get(AUDIO_URL.encode(), {b"Range": RANGES[name].encode()})
    if len(RANGES[name]) > 8190:  # gunicorn's header limit refuses it before the app sees it
        assert response.status == 431, response.raw[:300]
        return
    _assert_range_answer(response.status, response.headers, response.body, data)


GIANT_RANGES = [
    ("bytes=0-15", 0, 15),
    ("bytes=-16", GIANT - 16, GIANT - 1),
    (f"bytes={GIANT - 3}-", GIANT - 3, GIANT - 1),
    (f"bytes={4 * 1024**3 - 2}-{4 * 1024**3 + 1}", 4 * 1024**3 - 2, 4 * 1024**3 + 1),
]


@pytest.fixture(scope="module")
def giant_site(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    """The Flask test client on a show with a 5 GiB sparse episode."""
    scratch = _hostile_show(tmp_path_factory.mktemp("giant") / "show", giant=True)
    app = create_app({"EPISODES_ROOT": scratch.root, "CLOCK": lambda: NOW, "BASE_URL": BASE_URL})
    return app.test_client()


@pytest.mark.parametrize(("range_header", "first", "last"), GIANT_RANGES)
def test_a_5_gib_file_is_served_with_exact_ranges(
    giant_site: FlaskClient, range_header: str, first: int, last: int
) -> None:
    with giant_site.get("/audio/" + GIANT_AUDIO, headers={"Range": range_header}) as response:
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes {first}-{last}/{GIANT}"
        assert len(response.data) == last - first + 1
    with giant_site.head("/audio/" + GIANT_AUDIO) as head:
        assert head.headers["Content-Length"] == str(GIANT)


@pytest.mark.parametrize(("range_header", "first", "last"), GIANT_RANGES)
@pytest.mark.slow  # a real gunicorn
def test_gunicorn_serves_the_5_gib_file_with_exact_ranges(
    server: Gunicorn, range_header: str, first: int, last: int
) -> None:
    # cheap at any offset since ranges are read from where they start (the test below)
    response = server.get(b"/audio/" + GIANT_AUDIO.encode(), {b"Range": range_header.encode()})
    assert response.status == 206
    assert response.headers["content-range"] == f"bytes {first}-{last}/{GIANT}"
    assert len(response.body) == last - first + 1
    head = server.get(b"/audio/" + GIANT_AUDIO.encode(), method=b"HEAD")
    assert head.headers["content-length"] == str(GIANT)


@pytest.mark.slow  # a real gunicorn
def test_a_range_deep_in_a_file_does_not_read_what_comes_before(server: Gunicorn) -> None:
    offset = 256 * 1024**2
    server.get(b"/audio/" + GIANT_AUDIO.encode(), {b"Range": b"bytes=0-0"})  # warm both paths
    before = server.bytes_read()
    response = server.get(
        b"/audio/" + GIANT_AUDIO.encode(), {b"Range": b"bytes=%d-%d" % (offset, offset + 15)}
    )
    read = server.bytes_read() - before
    assert response.status == 206 and len(response.body) == 16
    assert read < 8 * 1024**2, f"{read:,} bytes read to serve 16"


@pytest.mark.slow  # a real gunicorn
def test_the_feed_states_the_5_gib_length_exactly(server: Gunicorn) -> None:
    response = server.get(b"/feed.xml")
    assert response.status == 200
    assert f'length="{GIANT}"'.encode() in response.body


@pytest.mark.slow  # a real gunicorn
def test_the_server_is_still_up_after_all_that(server: Gunicorn) -> None:
    response = server.get(b"/")
    assert response.status == 200
    assert server.process.poll() is None


@pytest.mark.parametrize(
    "host",
    ['evil.example"><script>alert(1)</script>', "evil.example/<svg onload=alert(1)>", "a" * 5000],
    ids=["script", "svg", "long"],
)
def test_a_hostile_host_header_never_becomes_markup(hostile: Scratch, host: str) -> None:
    """With no BASE_URL the pages and feed build links from the Host header: escaped, always."""
    app = create_app({"EPISODES_ROOT": hostile.root, "CLOCK": lambda: NOW})
    client = app.test_client()
    for url in ("/", "/episodes/s1-01-first/", "/seasons/1/"):
        with client.get(url, headers={"Host": host}) as response:
            assert response.status_code in (200, 400), url
            assert_no_live_markup(response.data, where=url)
    with client.get("/feed.xml", headers={"Host": host}) as response:
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert_feed_sound(response.data, ["11111111-1111-4111-8111-111111111111"])
