"""Transcripts in several languages: one page per language, linked both ways, in its language."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from flask.testing import FlaskClient
from lxml import etree

from podcast.cli import cli
from podcast.errors import CatalogError
from podcast.read.catalog import load

BASE = "https://offthecharts.example"
SLUG = "s1-02-what-health-equity-means"
STEM = "season-1/02-what-health-equity-means"
EPISODE = f"/episodes/{SLUG}/"
SPANISH = f"{EPISODE}transcript/es/"
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ENGLISH = f"{EPISODE}transcript/en-us/"
SOMALI_VTT = """WEBVTT

00:00:00.250 --> 00:00:03.848
<v Dr. Steven Jackson>Qaybtan, waxaan ka hadlaynaa sinnaanta caafimaadka.</v>
"""


def soup(client: FlaskClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.data, "html.parser")


def test_the_episode_page_switches_to_each_transcript_language(client: FlaskClient) -> None:
    page = soup(client, EPISODE)
    switch = page.select("#transcript nav.languages a")
    assert [(a["href"], a["hreflang"], a["lang"], a.text) for a in switch] == [
        (ENGLISH, "en-us", "en-us", "English"),
        (SPANISH, "es", "es", "Español"),
    ]


def test_the_spanish_transcript_page_is_in_spanish(client: FlaskClient, show_dir: Path) -> None:
    page = soup(client, SPANISH)
    assert page.html is not None and page.html["lang"] == "es"
    assert page.h1 is not None and page.h1.text == "Qué significa la equidad en salud"
    lede = page.select_one(".lede")
    assert lede is not None and "«equidad en salud»" in lede.text
    cues = [c.text for c in page.select(".cue .cue-text")]
    assert cues[0].startswith("En este episodio de muestra")
    assert len(cues) == 3
    # the site's own words stay English and say so
    for selector in ("header.site-header", "footer.site-footer", "nav.breadcrumb", "nav.languages"):
        element = page.select_one(selector)
        assert element is not None and element["lang"] == "en-us", selector
    current = page.select_one("nav.languages a[aria-current=page]")
    assert current is not None and current["href"] == SPANISH
    download = page.select_one("a.transcript-file")
    assert download is not None and download["href"].endswith("/transcript.es.vtt")
    with client.get(download["href"]) as served:
        assert served.status_code == 200 and served.mimetype == "text/vtt"
        assert served.data == (show_dir / f"{STEM}.es.vtt").read_bytes()


def test_transcript_pages_name_each_other_with_hreflang(client: FlaskClient) -> None:
    for url in (SPANISH, ENGLISH):
        page = soup(client, url)
        alternates = {
            link["hreflang"]: link["href"] for link in page.select("link[rel=alternate][hreflang]")
        }
        assert alternates == {"en-us": BASE + ENGLISH, "es": BASE + SPANISH}
        canonical = page.select_one("link[rel=canonical]")
        assert canonical is not None and canonical["href"] == BASE + url
    english = soup(client, ENGLISH)
    assert english.html is not None and english.html["lang"] == "en-us"
    assert english.select_one("header.site-header[lang]") is None  # all one language


def test_the_sitemap_lists_each_language_page(client: FlaskClient) -> None:
    sitemap = etree.fromstring(client.get("/sitemap.xml").data)
    locations = sitemap.xpath("//s:loc/text()", namespaces=SITEMAP)
    assert BASE + SPANISH in locations and BASE + ENGLISH in locations
    assert not [url for url in locations if "/transcript/" in url and SLUG not in url]


@pytest.mark.parametrize("language", ["fr", "ES", "es-mx", "x"])
def test_a_language_without_a_transcript_is_not_found(client: FlaskClient, language: str) -> None:
    assert client.get(f"{EPISODE}transcript/{language}/").status_code == 404
    assert client.get(f"{EPISODE}transcript.{language}.vtt").status_code == 404


def test_each_file_in_another_language_is_its_own_transcript(show_dir: Path) -> None:
    (show_dir / f"{STEM}.so.vtt").write_text(SOMALI_VTT, encoding="utf-8")
    (show_dir / f"{STEM}.hmn.vtt").write_text(SOMALI_VTT, encoding="utf-8")
    episode = load(show_dir).find(SLUG)
    assert episode is not None
    assert [(t.language, t.path.name) for t in episode.transcripts] == [
        ("en-us", "02-what-health-equity-means.vtt"),
        ("es", "02-what-health-equity-means.es.vtt"),
        ("hmn", "02-what-health-equity-means.hmn.vtt"),
        ("so", "02-what-health-equity-means.so.vtt"),
    ]
    assert episode.transcript == episode.transcripts[0]  # the accessor older callers use
    assert episode.transcript_in("SO") == episode.transcripts[3]


@pytest.mark.parametrize("tag", ["backup", "e", "es_MX", "123", "es-"])
def test_a_tag_that_is_not_bcp47_is_an_error_naming_the_file(show_dir: Path, tag: str) -> None:
    (show_dir / f"{STEM}.{tag}.vtt").write_text(SOMALI_VTT, encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load(show_dir)
    messages = [str(p) for p in raised.value.problems]
    assert any(f"'{tag}' is not a BCP 47 language tag" in m and ".yaml" in m for m in messages)


@pytest.mark.parametrize("tag", ["es-MX", "zh-Hant-TW", "sr-Latn", "hmn", "en-US-x-clinic"])
def test_well_formed_tags_are_accepted(show_dir: Path, tag: str) -> None:
    (show_dir / f"{STEM}.es.vtt").unlink()
    (show_dir / f"{STEM}.{tag}.vtt").write_text(SOMALI_VTT, encoding="utf-8")
    episode = load(show_dir).find(SLUG)
    assert episode is not None and episode.transcripts[1].language == tag


def test_two_transcripts_in_one_language_are_an_error(show_dir: Path) -> None:
    (show_dir / f"{STEM}.en-us.vtt").write_text(SOMALI_VTT, encoding="utf-8")
    with pytest.raises(CatalogError, match="two transcripts in 'en-us'"):
        load(show_dir)


def test_a_translation_without_its_transcript_is_a_warning(show_dir: Path) -> None:
    (show_dir / f"{STEM}.es.vtt").unlink()
    catalog = load(show_dir)
    assert any("no transcript in 'es'" in str(w) for w in catalog.warnings)


def test_check_parses_every_language_and_names_the_bad_line(
    show_dir: Path, runner: CliRunner
) -> None:
    broken = SOMALI_VTT.replace("00:00:00.250 --> 00:00:03.848", "00:00:00,250 -> 3")
    (show_dir / f"{STEM}.so.vtt").write_text(broken, encoding="utf-8")
    result = runner.invoke(cli, ["check", "--root", str(show_dir)])
    assert result.exit_code == 1, result.output
    assert f"{STEM}.so.vtt:3:" in result.output
    assert "expected a cue timing" in result.output
