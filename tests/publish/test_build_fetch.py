"""The build asks the app in-process: every answer is the test client's, byte for byte."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from support.clock import NOW

from podcast.publish import freeze
from podcast.publish.fetch import Fetcher
from podcast.site.app import create_app

BASE = "https://example.org/otc"


def make_app(root: Path) -> Flask:
    return create_app(
        {"EPISODES_ROOT": root, "CLOCK": lambda: NOW, "BASE_URL": BASE, "RELOAD_INTERVAL": None}
    )


def test_every_answer_is_the_one_a_client_gets(show_dir: Path) -> None:
    app = make_app(show_dir)
    # the search index is prepared in the background: until it is ready /search/ answers 503,
    # so without waiting the two askers would see two moments, not two ways of asking
    app.extensions["search"].wait()
    client = app.test_client()
    slug = app.extensions["catalog"].current().episodes[0].slug
    asked = [
        *freeze.seeds(app),
        f"/episodes/{slug}/",
        f"/episodes/{slug}/embed/",
        f"/episodes/{slug}/oembed.json",
        "/seasons/1/",
        "/artwork.jpg",  # a file, sent by Werkzeug as a stream
        "/episodes/no-such-episode/",
        "/search/?q=equity",
    ]
    fetcher = Fetcher(app, BASE + "/")
    with fetcher.session():
        answers = {path: fetcher.get(path) for path in asked}
    for path, answer in answers.items():
        with client.get(path, base_url=BASE + "/") as expected:
            asked = (expected.status_code, expected.status, expected.mimetype, expected.data)
        assert (answer.status_code, answer.status, answer.mimetype, answer.body) == asked, path
    assert answers[f"/episodes/{slug}/"].body.startswith(b"<!doctype html>")
    assert answers["/episodes/no-such-episode/"].status_code == 404


def test_a_path_with_escapes_reaches_the_view_unescaped(show_dir: Path) -> None:
    app = make_app(show_dir)
    fetcher = Fetcher(app, BASE + "/")
    slug = app.extensions["catalog"].current().episodes[0].slug
    escaped = "/episodes/" + "".join(f"%{ord(c):02X}" for c in slug) + "/"
    with fetcher.session():
        assert fetcher.get(escaped).body == fetcher.get(f"/episodes/{slug}/").body


def test_the_page_cache_keeps_nothing_an_export_asked_for(show_dir: Path) -> None:
    app = make_app(show_dir)
    fetcher = Fetcher(app, BASE + "/")
    with fetcher.session():
        for path in freeze.seeds(app):
            fetcher.get(path)
    assert len(app.extensions["pages"]) == 0
    app.test_client().get("/", base_url=BASE + "/")
    assert len(app.extensions["pages"]) == 1  # a listener's request is kept, as before
