"""The show's artwork and the episodes' images, as Apple requires them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from support.checking import EPISODE, edit, rules, run

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
