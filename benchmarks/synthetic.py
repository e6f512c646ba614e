"""Write a synthetic show of N episodes with real (small, committed) audio, for benchmarks."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
# Real files the loader probes like any episode: ID3 tags and cover, MP4 tags, ID3 chapters.
SOURCES = ("cbr.mp3", "tagged.m4a", "chapters.mp3")
PER_SEASON = 100
START = datetime(2005, 1, 4, 11, 0, tzinfo=UTC)  # daily: 5,000 episodes end in 2018
NOTES = """\
  In this episode the hosts talk with a guest about topic {n}: what the numbers show,
  what patients told them, and what clinics can change this year.

  Topics:

  - why topic {n} matters in the emergency department
  - what the research says, and what it leaves out
  - one thing listeners can do this week

  Read more at [example.org](https://example.org/episodes/{n}).
"""


def make_show(root: Path, count: int) -> Path:
    """Create `root` with show.yaml, artwork and `count` episodes; return root."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shipped = REPO / "episodes"
    shutil.copy(shipped / "artwork.jpg", root / "artwork.jpg")
    show = (shipped / "show.yaml").read_text("utf-8")
    (root / "show.yaml").write_text(show, "utf-8")
    for index in range(count):
        write_episode(root, index)
    return root


def episode_paths(root: Path, index: int) -> tuple[Path, Path]:
    """(yaml, audio) paths of the synthetic episode number `index` (0-based)."""
    season, number = index // PER_SEASON + 1, index % PER_SEASON + 1
    source = SOURCES[index % len(SOURCES)]
    stem = root / f"season-{season}" / f"{number:03d}-topic-{index}"
    return stem.with_suffix(".yaml"), stem.with_suffix(Path(source).suffix)


def write_episode(
    root: Path, index: int, title_suffix: str = "", audio_source: Path | None = None
) -> None:
    """Write one episode's YAML and audio copy, with a distinct mtime."""
    yaml_path, audio_path = episode_paths(root, index)
    if audio_source is not None:
        audio_path = yaml_path.with_suffix(audio_source.suffix)
    yaml_path.parent.mkdir(exist_ok=True)
    season, number = index // PER_SEASON + 1, index % PER_SEASON + 1
    published = START + timedelta(days=index)  # all in the past: every one is in the feed
    guid = uuid.uuid5(uuid.NAMESPACE_URL, f"synthetic/{index}")
    chapters = (
        '  - {start: "00:00:00", title: Opening}\n  - {start: "00:00:02", title: Main}\n'
        if index % 2
        else ""
    )
    yaml_path.write_text(
        f"title: Topic {index}{title_suffix}\nseason: {season}\nepisode: {number}\n"
        f"published: {published.isoformat()}\ntype: full\nguid: {guid}\n"
        f"summary: A conversation about topic {index} and health equity.\nexplicit: false\n"
        f"notes: |\n{NOTES.format(n=index)}" + (f"chapters:\n{chapters}" if chapters else ""),
        "utf-8",
    )
    if not audio_path.exists():
        shutil.copyfile(audio_source or DATA / SOURCES[index % len(SOURCES)], audio_path)
        moment = published.timestamp()
        os.utime(audio_path, (moment, moment))


def real_episode(folder: Path, seconds: int = 20, seed: int = 0) -> Path:
    """The issue's audio: 64 kbps CBR MP3, no Xing, ID3v2.4, a 93 KB cover, two chapters.

    Each `seed` is a different recording (its own noise), as a producer's episodes are: `add`
    refuses the same recording twice and `check` warns about it.
    """
    from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, CTOCFlags

    target = folder / (f"real-{seconds}s.mp3" if seed == 0 else f"real-{seconds}s-{seed}.mp3")
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    source = f"anoisesrc=color=pink:amplitude=0.3:sample_rate=44100:duration={seconds}"
    source += f":seed={seed + 1}"
    command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-ac", "1"]
    codec = ["-c:a", "libmp3lame", "-b:a", "64k", "-write_xing", "0", "-id3v2_version", "0"]
    partial = target.with_name(target.name + ".part.mp3")
    subprocess.run([*command, *codec, str(partial)], check=True)
    cover = (REPO / "episodes" / "artwork.jpg").read_bytes()[: 93 * 1024]
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Synthetic"))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=cover))
    half = seconds * 500
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL, child_element_ids=["c1", "c2"]))
    tags.add(CHAP(element_id="c1", start_time=0, end_time=half, sub_frames=[TIT2(text="One")]))
    tags.add(
        CHAP(element_id="c2", start_time=half, end_time=half * 2, sub_frames=[TIT2(text="Two")])
    )
    tags.save(partial, v2_version=4)
    partial.rename(target)
    return target


def real_recordings(folder: Path, count: int, seconds: int = 20) -> list[Path]:
    """`count` distinct recordings like `real_episode`'s, encoded one ffmpeg per core and kept
    in `folder` for the next run (a thousand take about a minute once)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        return list(pool.map(lambda seed: real_episode(folder, seconds, seed), range(count)))


def retitle(audio: Path, title: str) -> None:
    """Give a copy its own ID3 title, so no two files have the same bytes."""
    from mutagen.id3 import ID3, TIT2

    tags = ID3(audio)
    tags.setall("TIT2", [TIT2(encoding=3, text=title)])
    tags.save(audio, v2_version=4, padding=lambda info: 1024)


def make_real_show(root: Path, count: int, recordings: list[Path]) -> Path:
    """Like make_show, but every episode is a copy of its own recording (real tags, cover)."""
    make_show(root, 0)
    for index in range(count):
        yaml_path, _ = episode_paths(root, index)
        audio = recordings[index % len(recordings)]
        target = yaml_path.with_suffix(audio.suffix)
        write_episode(root, index, audio_source=audio)
        retitle(target, f"Topic {index}")
    return root


if __name__ == "__main__":
    import sys

    make_show(Path(sys.argv[1]), int(sys.argv[2]))
