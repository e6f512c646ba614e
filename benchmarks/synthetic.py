"""Write a synthetic show of N episodes with real (small, committed) audio, for benchmarks."""

from __future__ import annotations

import os
import shutil
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


def write_episode(root: Path, index: int, title_suffix: str = "") -> None:
    """Write one episode's YAML and audio copy, with a distinct mtime."""
    yaml_path, audio_path = episode_paths(root, index)
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
        shutil.copyfile(DATA / SOURCES[index % len(SOURCES)], audio_path)
        moment = published.timestamp()
        os.utime(audio_path, (moment, moment))


if __name__ == "__main__":
    import sys

    make_show(Path(sys.argv[1]), int(sys.argv[2]))
