"""Feeds shaped like the big hosts publish, and a loopback server that serves them with media.

`FeedServer` is a real http.server in a thread on 127.0.0.1: it serves bytes by path, honours
`Range` (so resumed downloads are tested for real), answers 404 for what it does not have, and
can redirect in a loop or stall, as hostile hosts do.
"""

from __future__ import annotations

import io
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from PIL import Image

DATA = Path(__file__).parent.parent / "data"
NAMESPACES = (
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:podcast="https://podcastindex.org/namespace/1.0" '
    'xmlns:psc="http://podlove.org/simple-chapters"'
)


def artwork_bytes(size: int = 1400) -> bytes:
    """A square JPEG the size Apple asks for."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (30, 90, 160)).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


class FeedServer:
    """Serve `files` (path → bytes) on loopback; `stall` paths never answer, `loop` redirects."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.types: dict[str, str] = {}
        self.stall: set[str] = set()
        self.cut: dict[str, int] = {}  # path → bytes sent before the connection drops (once)
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                server.requests.append((self.path, self.headers.get("Range")))
                server.answer(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base + path

    def add(self, path: str, data: bytes, mime: str = "application/octet-stream") -> str:
        """Serve `data` at `path`; its URL."""
        self.files[path], self.types[path] = data, mime
        return self.url(path)

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one GET."""
        path = handler.path
        if path in self.stall:
            time.sleep(3)
            return
        if path.startswith("/loop"):
            handler.send_response(302)
            handler.send_header("Location", "/loop-again" if path == "/loop" else "/loop")
            handler.end_headers()
            return
        data = self.files.get(path)
        if data is None:
            handler.send_error(404)
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", handler.headers.get("Range") or "")
        if match and int(match.group(1)) < len(data):
            start = int(match.group(1))
            handler.send_response(206)
            handler.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            handler.send_response(200)
        handler.send_header("Content-Type", self.types[path])
        handler.send_header("Content-Length", str(len(data) - start))
        handler.end_headers()
        body = data[start:]
        if path in self.cut:
            body = body[: self.cut.pop(path)]  # then the connection closes: a short read
        handler.wfile.write(body)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Item:
    """An item to put in a test feed; None fields are left out of the XML."""

    title: str
    guid: str | None
    published: datetime
    audio: str = "cbr.mp3"  # a file in tests/data
    season: int | None = 1
    number: int | None = None
    kind: str | None = None
    link: str | None = None
    description: str = ""
    content: str | None = None
    duration: str | None = "00:00:02"
    transcript: bool = False
    chapters_json: bool = False
    podlove: bool = False
    persons: list[str] = field(default_factory=list)
    enclosure: bool = True
    length: int | None = None  # declared length; None = the real size
    permalink: bool | None = False
    itunes_summary: str | None = None
    json_transcript: bool = False
    soundbites: list[tuple[str, str, str]] = field(default_factory=list)  # start, duration, title


def host_items(count: int, start: datetime | None = None, host: str = "simplecast") -> list[Item]:
    """`count` items shaped the way `host` writes them."""
    start = start or datetime(2022, 1, 11, 6, 0, tzinfo=timezone(timedelta(hours=-6)))
    items = []
    for n in range(1, count + 1):
        when = start + timedelta(days=14 * (n - 1))
        title = f"Episode {n}: Health équité & <care> #{n}"
        items.append(_shaped(host, n, title, when))
    return items


def _shaped(host: str, n: int, title: str, when: datetime) -> Item:
    html = f"<p>Notes for <b>{n}</b> with <a href='https://example.org/{n}'>a link</a>.</p>"
    if host == "simplecast":  # uuid guids, HTML in content:encoded and description
        return Item(
            title,
            f"{n:08x}-aaaa-4bbb-8ccc-000000000000",
            when,
            number=n,
            link=f"https://offthecharts.simplecast.com/episodes/ep-{n}-health",
            description=html,
            content=html,
            kind="full",
            transcript=n % 2 == 0,
            persons=["Guest Person"] if n % 3 == 0 else [],
        )
    if host == "libsyn":  # guid like a token, duration in seconds, no seasons
        return Item(
            title,
            f"  {n}a7f{n}e2b-libsyn  ",
            when,
            season=None,
            number=n,
            duration=str(60 + n),
            link=f"https://show.libsyn.com/episode-{n}",
            description=f"<![CDATA[{html}]]>",
        )
    if host == "buzzsprout":  # Buzzsprout-NNN guids, podlove chapters, JSON chapters
        return Item(
            title,
            f"Buzzsprout-{1000 + n}",
            when,
            number=n,
            season=2,
            link=f"https://www.buzzsprout.com/1/{1000 + n}-episode-{n}",
            description=html,
            chapters_json=True,
            podlove=True,
            json_transcript=True,
        )
    if host == "anchor":  # guids are URLs (isPermaLink false), links to spotify pages
        return Item(
            title,
            f"https://podcasters.spotify.com/pod/show/x/episodes/E{n}-e2b{n}",
            when,
            number=n,
            link=f"https://podcasters.spotify.com/pod/show/x/episodes/E{n}-e2b{n}",
            description=html,
            permalink=False,
        )
    if host == "wordpress":  # PowerPress: permalink guids ?p=, content:encoded, bonus
        return Item(
            title,
            f"https://example.org/?p={n}",
            when,
            number=None if n == 2 else n,
            kind="bonus" if n == 2 else "full",
            link=f"https://example.org/{n}/ep-{n}/",
            description="plain text",
            content=html,
            permalink=True,
        )
    if host == "acast":  # escaped (not CDATA) HTML, no season or number, seconds durations
        return Item(
            title,
            f"acast-{n:04d}",
            when,
            season=None,
            duration=str(90 + n),
            link=f"https://shows.acast.com/off-the-charts/episodes/ep{n}",
            description=html,
        )
    if host == "art19":  # gid:// guids, a trailer first, HH:MM:SS durations
        return Item(
            title,
            f"gid://art19-episode-locator/V0/ep-{n}",
            when,
            kind="trailer" if n == 1 else "full",
            number=None if n == 1 else n - 1,
            duration="01:02:03",
            description=html,
        )
    if host == "megaphone":  # notes only in itunes:summary, no <link>
        return Item(title, f"MEGA{n}-{n * 7:04d}", when, number=n, itunes_summary=f"Plain {n}.")
    raise ValueError(host)


def build_feed(server: FeedServer, items: list[Item], **channel: object) -> bytes:
    """An RSS feed of `items`, with its media, transcripts and chapters served by `server`."""
    art = server.add("/art.jpg", artwork_bytes(), "image/jpeg")
    body = "".join(_item_xml(server, item) for item in items)
    locked = channel.get("locked", "no")
    extra = str(channel.get("extra", ""))
    guid = channel.get("podcast_guid")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {NAMESPACES}>\n<channel>\n'
        f"<title>{escape(str(channel.get('title', 'Off the Charts')))}</title>\n"
        "<link>https://offthecharts.simplecast.com</link>\n"
        "<description><![CDATA[<p>Two physicians examine the <b>health equity</b> "
        "emergency.</p>]]></description>\n"
        "<language>en-US</language>\n<copyright>© HealthPartners</copyright>\n"
        "<itunes:author>HealthPartners</itunes:author>\n"
        "<itunes:owner><itunes:name>HealthPartners</itunes:name>"
        "<itunes:email>podcast@healthpartners.com</itunes:email></itunes:owner>\n"
        f'<itunes:image href="{art}"/>\n<itunes:explicit>no</itunes:explicit>\n'
        "<itunes:type>episodic</itunes:type>\n"
        '<itunes:category text="Health &amp; Fitness"><itunes:category text="Medicine"/>'
        '</itunes:category>\n<itunes:category text="Science &amp; Medicine"/>\n'
        f"<podcast:locked>{locked}</podcast:locked>\n"
        + (f"<podcast:guid>{guid}</podcast:guid>\n" if guid else "")
        + '<podcast:funding url="https://example.org/give">Support us</podcast:funding>\n'
        '<podcast:person role="host" href="https://example.org/kari">'
        "Dr. Kari Haley</podcast:person>\n"
        f"{extra}{body}</channel>\n</rss>\n"
    ).encode("utf-8")


def _item_xml(server: FeedServer, item: Item) -> str:
    stem = f"/media/{abs(hash(item.title)) % 10**8}"
    audio = (DATA / item.audio).read_bytes()
    parts = [f"<item>\n<title>{escape(item.title)}</title>\n"]
    if item.guid is not None:
        attr = "" if item.permalink is None else f' isPermaLink="{str(item.permalink).lower()}"'
        parts.append(f"<guid{attr}>{escape(item.guid)}</guid>\n")
    parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>\n")
    if item.link:
        parts.append(f"<link>{escape(item.link)}</link>\n")
    if item.enclosure:
        url = server.add(f"{stem}.mp3", audio, "audio/mpeg")
        length = item.length if item.length is not None else len(audio)
        parts.append(f'<enclosure url={quoteattr(url)} length="{length}" type="audio/mpeg"/>\n')
    if item.description.startswith("<![CDATA["):
        parts.append(f"<description>{item.description}</description>\n")
    elif item.description:
        parts.append(f"<description>{escape(item.description)}</description>\n")
    if item.itunes_summary:
        parts.append(f"<itunes:summary>{escape(item.itunes_summary)}</itunes:summary>\n")
    if item.content:
        parts.append(f"<content:encoded><![CDATA[{item.content}]]></content:encoded>\n")
    for tag, value in (
        ("season", item.season),
        ("episode", item.number),
        ("episodeType", item.kind),
        ("duration", item.duration),
    ):
        if value is not None:
            parts.append(f"<itunes:{tag}>{value}</itunes:{tag}>\n")
    if item.transcript:
        vtt = server.add(f"{stem}.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n", "text/vtt")
        parts.append(f'<podcast:transcript url="{vtt}" type="text/vtt"/>\n')
        parts.append(f'<podcast:transcript url="{vtt}.html" type="text/html"/>\n')
    if item.json_transcript:
        segments = (
            b'{"version":"1.0.0","segments":[{"speaker":"Kari","startTime":0,"endTime":1.25,'
            b'"body":"Welcome back."},{"startTime":1.25,"endTime":2,"body":"Thanks."}]}'
        )
        url = server.add(f"{stem}.transcript.json", segments, "application/json")
        parts.append(f'<podcast:transcript url="{url}" type="application/json"/>\n')
    if item.chapters_json:
        chapters = (
            b'{"version":"1.2.0","chapters":[{"startTime":0,"title":"Start"},'
            b'{"startTime":1.5,"title":"Middle","url":"https://example.org/m"}]}'
        )
        url = server.add(f"{stem}.json", chapters, "application/json+chapters")
        parts.append(f'<podcast:chapters url="{url}" type="application/json+chapters"/>\n')
    if item.podlove:
        parts.append(
            '<psc:chapters version="1.2"><psc:chapter start="00:00:00.000" title="Intro"/>'
            '<psc:chapter start="00:00:01" title="Talk"/></psc:chapters>\n'
        )
    for name in item.persons:
        parts.append(f'<podcast:person role="guest">{escape(name)}</podcast:person>\n')
    for start, duration, title in item.soundbites:
        parts.append(
            f"<podcast:soundbite startTime={quoteattr(start)} duration={quoteattr(duration)}>"
            f"{escape(title)}</podcast:soundbite>\n"
        )
    return "".join(parts) + "</item>\n"
