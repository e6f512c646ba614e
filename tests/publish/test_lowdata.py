"""`add --low-bandwidth`: a real, small mono copy beside the audio, in the feed and on the page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import mutagen
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from lxml import etree
from support.audio import tone
from support.clock import NOW
from support.scratch import Scratch

from podcast.cli import cli
from podcast.publish import build as export
from podcast.read.catalog import load
from podcast.site.app import create_app

BASE = "https://example.org"
NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
SECONDS = 30


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 30-second stereo 128 kbps MP3, as a producer's export would be."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.fail("ffmpeg is missing (it is in .ci/apt-packages.txt)")
    path = tmp_path_factory.mktemp("export") / "Clinic voices (final).mp3"
    subprocess.run(
        [ffmpeg, "-nostdin", "-loglevel", "error", "-f", "lavfi",
         "-i", f"sine=frequency=220:duration={SECONDS}", "-ac", "2", "-ar", "44100",
         "-c:a", "libmp3lame", "-b:a", "128k", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.fixture
def added(tmp_path: Path, recording: Path, runner: CliRunner) -> Path:
    """A scratch show with `recording` added with --low-bandwidth; returns the show's root."""
    show = Scratch.create(tmp_path / "show")
    result = runner.invoke(
        cli,
        ["add", str(recording), "--root", str(show.root), "--season", "2",
         "--published", "2024-02-01T06:00:00-06:00", "--low-bandwidth"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return show.root


def _low_file(root: Path) -> Path:
    (found,) = (root / "season-2").glob("*.low.mp3")
    return found


def test_the_low_data_copy_is_real_mono_audio_as_long_as_the_original(
    added: Path, recording: Path
) -> None:
    low = _low_file(added)
    original, small = mutagen.File(recording), mutagen.File(low)
    assert abs(small.info.length - original.info.length) < 1.0
    assert small.info.channels == 1
    assert small.info.bitrate == 32_000
    assert low.stat().st_size < recording.stat().st_size / 3
    assert low.name == _episode_audio(added).with_suffix("").name + ".low.mp3"


def _episode_audio(root: Path) -> Path:
    (audio,) = [p for p in (root / "season-2").glob("*.mp3") if not p.name.endswith(".low.mp3")]
    return audio


def test_the_loader_feed_and_site_offer_the_low_data_copy(added: Path) -> None:
    catalog = load(added)
    episode = next(e for e in catalog.episodes if e.season == 2)
    low = _low_file(added)
    assert episode.low_bandwidth is not None and episode.low_bandwidth.path == low
    app = create_app({"EPISODES_ROOT": added, "CLOCK": lambda: NOW, "BASE_URL": BASE})
    client = app.test_client()
    rss = etree.fromstring(client.get("/feed.xml").data)
    (item,) = [i for i in rss.iter("item") if i.findtext("title") == episode.title]
    (alternate,) = item.xpath("podcast:alternateEnclosure", namespaces=NS)
    assert alternate.get("type") == "audio/mpeg"
    assert alternate.get("length") == str(low.stat().st_size)
    assert alternate.get("bitrate") == "32000"
    (source,) = alternate.xpath("podcast:source", namespaces=NS)
    uri = source.get("uri")
    assert uri == f"{BASE}/audio/season-2/{low.name}"
    with client.get(uri.removeprefix(BASE)) as served:
        assert served.status_code == 200 and served.mimetype == "audio/mpeg"
        assert served.data == low.read_bytes()
    page = BeautifulSoup(client.get(f"/episodes/{episode.slug}/").data, "html.parser")
    caption = page.select_one(".player figcaption")
    assert caption is not None
    link = caption.select_one("a.low-data")
    assert link is not None and link["href"] == uri
    size = f"{low.stat().st_size / 1000:.1f} kB"
    text = caption.get_text(" ", strip=True)
    assert f"Low-data version ({size}, mono 32 kbps)" in text
    assert "Download the audio (" in text  # the full file's size is shown beside it


def test_the_show_setting_makes_every_add_low_data_unless_refused(
    tmp_path: Path, recording: Path, runner: CliRunner
) -> None:
    show = Scratch.create(tmp_path / "show")
    show.show(low_bandwidth=True)
    args = ["add", str(recording), "--root", str(show.root), "--season", "2"]
    assert runner.invoke(cli, [*args, "--title", "One"]).exit_code == 0
    second = tone(tmp_path / "second.mp3", seconds=5, frequency=440, codec=["-c:a", "libmp3lame"])
    args = ["add", str(second), "--root", str(show.root), "--season", "2"]  # `add` refuses repeats
    assert runner.invoke(cli, [*args, "--title", "Two", "--no-low-bandwidth"]).exit_code == 0
    names = sorted(p.name for p in (show.root / "season-2").iterdir())
    assert [n for n in names if n.endswith(".low.mp3")] == ["01-one.low.mp3"]
    assert not [n for n in names if n.startswith(".")]  # no temporary file left behind


def test_a_refused_low_data_copy_leaves_nothing_behind(
    tmp_path: Path, recording: Path, runner: CliRunner
) -> None:
    show = Scratch.create(tmp_path / "show")
    show.write("season-2/01-one.low.mp3", b"an earlier copy")
    before = {p: p.read_bytes() for p in show.root.rglob("*") if p.is_file()}
    result = runner.invoke(
        cli,
        ["add", str(recording), "--root", str(show.root), "--season", "2", "--title", "One",
         "--low-bandwidth"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "01-one.low.mp3 already exists" in result.output
    assert {p: p.read_bytes() for p in show.root.rglob("*") if p.is_file()} == before


def test_the_static_export_holds_the_low_data_copy(added: Path, tmp_path: Path) -> None:
    low = _low_file(added)
    app = create_app({"EPISODES_ROOT": added, "CLOCK": lambda: NOW, "BASE_URL": BASE})
    out = tmp_path / "site"
    export.build(app, out, BASE)
    exported = out / "audio" / "season-2" / low.name
    assert exported.read_bytes() == low.read_bytes()


def test_check_warns_of_a_low_data_copy_of_other_audio(
    added: Path, data_dir: Path, runner: CliRunner
) -> None:
    ok = runner.invoke(cli, ["check", "--root", str(added), "--strict"])
    assert "low-bandwidth-duration" not in ok.output, ok.output
    shutil.copy(data_dir / "cbr.mp3", _low_file(added))  # a few seconds, not thirty
    result = runner.invoke(cli, ["check", "--root", str(added), "--strict"])
    assert result.exit_code == 1, result.output
    assert "[low-bandwidth-duration]" in result.output
    assert f"{_low_file(added)}:" in result.output or _low_file(added).name in result.output
