"""Incremental builds after any sequence of a producer's edits equal a clean build, file by file.

The other incremental tests make one kind of change each; a producer makes many, of every
kind, between builds and across them. Each step here makes one to three random edits (retitle,
new notes with a link to another episode, new audio, a new date (earlier, later or not yet
released), a transcript, the show's title or artwork, an episode added or removed), builds
incrementally into the same folder and compares it with a clean build of the same show.
"""

from __future__ import annotations

import random
import re
import shutil
import uuid
from pathlib import Path

import pytest
from PIL import Image
from support.clock import NOW

from podcast.publish import build as export
from podcast.publish import build_mirror
from podcast.read import catalog as catalog_module
from podcast.read import loader
from podcast.render import urls
from podcast.site.app import create_app

BASE = "https://example.org/otc"


def build(show: Path, out: Path) -> export.Report:
    app = create_app({"EPISODES_ROOT": show, "CLOCK": lambda: NOW, "BASE_URL": BASE})
    return export.build(app, out, BASE)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def episodes(show: Path) -> list[Path]:
    return sorted(catalog_module.episode_files(show))


def replace_line(path: Path, key: str, value: str) -> None:
    text = path.read_text("utf-8")
    changed, count = re.subn(rf"(?m)^{key}:.*$", f"{key}: {value}", text, count=1)
    path.write_text(changed if count else f"{text.rstrip()}\n{key}: {value}\n", "utf-8")


def retitle(show: Path, rng: random.Random, data: Path) -> str:
    yaml = rng.choice(episodes(show))
    replace_line(yaml, "title", f"Retitled {rng.randrange(10**6)}")
    return f"retitled {yaml.name}"


def renote(show: Path, rng: random.Random, data: Path) -> str:
    yaml, other = rng.choice(episodes(show)), rng.choice(loader.load(show).episodes)
    link = f" See [another episode]({BASE}{urls.episode(other)})."  # an internal link
    text = yaml.read_text("utf-8")
    notes = f"notes: |\n  New notes {rng.randrange(10**6)}, with **bold** words.{link}\n"
    text = re.sub(r"(?ms)^notes: \|\n(?:  .*\n|\n)*", notes, text, count=1)
    yaml.write_text(text, "utf-8")
    return f"new notes for {yaml.name}"


def new_audio(show: Path, rng: random.Random, data: Path) -> str:
    mp3s = [y for y in episodes(show) if y.with_suffix(".mp3").is_file()]
    if not mp3s:
        return "no MP3 to replace"
    yaml = rng.choice(mp3s)
    source = rng.choice(["cbr.mp3", "vbr-xing.mp3", "vbr-noxing.mp3"])
    shutil.copyfile(data / source, yaml.with_suffix(".mp3"))
    text = yaml.read_text("utf-8")
    yaml.write_text(re.sub(r"(?ms)^chapters:\n(?:  - .*\n)*", "", text), "utf-8")  # too long now
    return f"{source} for {yaml.name}"


def redate(show: Path, rng: random.Random, data: Path) -> str:
    yaml = rng.choice(episodes(show))
    when = rng.choice(["2021-12-01", "2025-06-03", "2026-10-31", "2027-03-01"])  # 2027: not yet
    replace_line(yaml, "published", f"{when}T06:00:00-05:00")
    return f"{yaml.name} published {when}"


def new_transcript(show: Path, rng: random.Random, data: Path) -> str:
    transcripts = sorted(show.glob("season-*/*.vtt"))
    vtt = rng.choice(transcripts)
    text = vtt.read_text("utf-8").replace("sample", f"edited {rng.randrange(10**6)}", 1)
    vtt.write_text(text, "utf-8")
    return f"edited {vtt.name}"


def retitle_show(show: Path, rng: random.Random, data: Path) -> str:
    replace_line(show / "show.yaml", "title", f'"Off the Charts {rng.randrange(10**6)}"')
    return "retitled the show"


def new_artwork(show: Path, rng: random.Random, data: Path) -> str:
    artwork = show / "artwork.jpg"
    with Image.open(artwork) as image:
        changed = image.convert("RGB")
    changed.putpixel((0, 0), (rng.randrange(256), 0, 0))
    changed.save(artwork, "JPEG", quality=90)
    return "new show artwork"


def add(show: Path, rng: random.Random, data: Path) -> str:
    source = rng.choice([y for y in episodes(show) if y.with_suffix(".mp3").is_file()] or [None])
    if source is None:
        return "no MP3 episode to copy"
    name = f"{rng.randrange(50, 99)}-added-{rng.randrange(10**6)}"
    yaml = source.with_name(f"{name}.yaml")
    shutil.copyfile(source.with_suffix(".mp3"), yaml.with_suffix(".mp3"))
    yaml.write_text(source.read_text("utf-8"), "utf-8")
    replace_line(yaml, "guid", str(uuid.UUID(int=rng.getrandbits(128))))
    replace_line(yaml, "title", f"Added {name}")
    replace_line(yaml, "episode", str(rng.randrange(50, 99)))
    return f"added {yaml.name}"


def remove(show: Path, rng: random.Random, data: Path) -> str:
    if len(episodes(show)) < 3:
        return "kept the last episodes"
    yaml = rng.choice(episodes(show))
    for path in yaml.parent.glob(yaml.stem + ".*"):
        path.unlink()
    return f"removed {yaml.name}"


EDITS = [retitle, renote, new_audio, redate, new_transcript, retitle_show, new_artwork, add, remove]


@pytest.mark.slow  # about 20 builds a seed
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_sequence_of_edits_builds_what_a_clean_build_would(
    show_dir: Path, tmp_path: Path, data_dir: Path, seed: int
) -> None:
    rng = random.Random(seed)
    site = tmp_path / "site"
    build(show_dir, site)
    for step in range(8):
        done = [rng.choice(EDITS)(show_dir, rng, data_dir) for _ in range(rng.randint(1, 3))]
        # into a new folder first: it reuses the mirror the last step's build left
        elsewhere = tmp_path / f"elsewhere-{step}"
        mirrored = build(show_dir, elsewhere)
        incremental = build(show_dir, site)
        clean = tmp_path / f"clean-{step}"
        build_mirror.forget(show_dir)
        whole = build(show_dir, clean)
        expected = tree(clean)
        for name, folder in (("incremental", site), ("new folder", elsewhere)):
            made = tree(folder)
            differing = sorted(
                p for p in made.keys() | expected.keys() if made.get(p) != expected.get(p)
            )
            assert not differing, f"step {step} {name} ({'; '.join(done)}): {differing[:10]}"
        assert (incremental.files, incremental.bytes) == (whole.files, whole.bytes)
        assert (mirrored.files, mirrored.bytes) == (whole.files, whole.bytes)
        shutil.rmtree(clean)
        shutil.rmtree(elsewhere)
