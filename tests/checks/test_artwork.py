"""The show's artwork and the episodes' images, as Apple requires them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from support.checking import EPISODE, edit, rules, run

from podcast.checks import artwork
from podcast.errors import Severity


@pytest.mark.parametrize(
    ("size", "mode", "fmt", "name", "expected"),
    [
        ((1000, 1000), "RGB", "JPEG", "artwork.jpg", {"the image is 1000×1000 px"}),
        ((3200, 3200), "RGB", "JPEG", "artwork.jpg", {"the image is 3200×3200 px"}),
        ((1600, 1400), "RGB", "JPEG", "artwork.jpg", {"not square"}),
        ((1400, 1400), "CMYK", "JPEG", "artwork.jpg", {"colour mode CMYK"}),
        ((1400, 1400), "L", "PNG", "artwork.png", {"colour mode L"}),
        ((1400, 1400), "RGB", "PNG", "artwork.jpg", {"holds a PNG image but is named '.jpg'"}),
        ((1400, 1400), "RGB", "GIF", "artwork.gif", {"the image is GIF"}),
    ],
)
def test_artwork_rules(
    show_dir: Path, size: tuple[int, int], mode: str, fmt: str, name: str, expected: set[str]
) -> None:
    Image.new(mode, size).save(show_dir / name, fmt)
    edit(show_dir / "show.yaml", "artwork: artwork.jpg", f"artwork: {name}")
    found = rules(run(show_dir))["artwork"]
    assert all(p.line == 16 for p in found)  # the 'artwork:' line of show.yaml
    for fragment in expected:
        assert any(fragment in p.message and p.severity is Severity.ERROR for p in found), [
            p.message for p in found
        ]


def test_transparent_artwork_is_a_warning(show_dir: Path) -> None:
    Image.new("RGBA", (1400, 1400)).save(show_dir / "artwork.png", "PNG")
    edit(show_dir / "show.yaml", "artwork: artwork.jpg", "artwork: artwork.png")
    (problem,) = rules(run(show_dir))["artwork"]
    assert problem.severity is Severity.WARNING and "RGBA" in problem.message


def test_artwork_that_is_not_an_image(show_dir: Path) -> None:
    (show_dir / "artwork.jpg").write_text("this is not a picture")
    (problem,) = rules(run(show_dir))["artwork"]
    assert "not a readable JPEG or PNG" in problem.message


def test_episode_images_follow_the_same_rules(show_dir: Path) -> None:
    Image.new("RGB", (300, 300)).save(show_dir / "season-1" / "cover.jpg", "JPEG")
    with (show_dir / f"{EPISODE}.yaml").open("a") as handle:
        handle.write("image: cover.jpg\n")
    (problem,) = rules(run(show_dir))["episode-image"]
    assert problem.path == show_dir / f"{EPISODE}.yaml" and "300×300" in problem.message


def test_unchanged_artwork_is_judged_from_what_was_read_before(
    show_dir: Path, user_cache: Path
) -> None:
    Image.new("RGB", (1000, 1000)).save(show_dir / "artwork.jpg", "JPEG")
    first = [p.message for p in rules(run(show_dir))["artwork"]]
    assert any("1000×1000" in m for m in first)
    assert list(user_cache.rglob(artwork.CACHE_FILE))  # in the user's cache, not the show
    assert not list(show_dir.rglob("*.json"))
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from podcast.checks import rules\n"
        "from podcast.read import catalog\n"
        "found = rules.run(catalog.load(Path(sys.argv[1])))\n"
        "print([p.message for p in found if p.rule == 'artwork'])\n"
        "print('PIL' in sys.modules)\n"
    )
    again = subprocess.run(
        [sys.executable, "-c", script, str(show_dir)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert again == [repr(first), "False"]  # the same verdict, and Pillow never imported


def test_replaced_artwork_is_read_again(show_dir: Path, user_cache: Path) -> None:
    Image.new("RGB", (1000, 1000)).save(show_dir / "artwork.jpg", "JPEG")
    assert any("1000×1000" in p.message for p in rules(run(show_dir))["artwork"])
    Image.new("RGB", (1500, 1400)).save(show_dir / "artwork.jpg", "JPEG")  # another size
    (problem,) = rules(run(show_dir))["artwork"]
    assert "1500×1400" in problem.message and "not square" in problem.message


def test_a_tampered_artwork_cache_is_not_believed(show_dir: Path, user_cache: Path) -> None:
    Image.new("RGB", (1000, 1000)).save(show_dir / "artwork.jpg", "JPEG")
    run(show_dir)
    (path,) = user_cache.rglob(artwork.CACHE_FILE)
    entries = json.loads(path.read_text())
    for entry in entries.values():
        entry["width"] = "3000"  # not a number: the image is read again
        entry["mode"] = "RGB"
    path.write_text(json.dumps(entries))
    assert any("1000×1000" in p.message for p in rules(run(show_dir))["artwork"])
