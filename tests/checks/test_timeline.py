"""Chapters in the audio's timeline: out of order or past the end, each at its own line."""

from __future__ import annotations

from pathlib import Path

from support.checking import add_episode, episode_yaml, rules, run
from support.clock import NOW

from podcast.checks import rules as checks
from podcast.errors import Severity
from podcast.read import catalog
from podcast.read.loader import Loader


def test_chapters_out_of_order_or_past_the_end(show_dir: Path, data_dir: Path) -> None:
    add_episode(
        show_dir,
        data_dir,
        "cbr.mp3",
        episode_yaml(
            extra=(
                'chapters:\n  - {start: "00:00:02", title: Two}\n'
                '  - {start: "00:00:01", title: One}\n'
                '  - {start: "00:10:00", title: Later}\n'
            )
        ),
    )
    found = rules(run(show_dir))
    (order,) = found["chapters-order"]
    (late,) = found["chapters-duration"]
    assert "'Later'" in late.message and late.line == 10
    assert order.severity is Severity.ERROR and order.path.name == "09-extra.yaml"
    assert order.line == 9
    assert found["chapters-notes"][0].severity is Severity.WARNING  # first is not at 00:00:00


def test_chapter_problems_name_the_chapter_line(show_dir: Path, data_dir: Path) -> None:
    chapters = (
        "chapters:\n"  # line 7
        '  - {start: "00:00:03", title: Opening}\n'
        '  - start: "00:00:01"\n'  # line 9: before the chapter above
        "    title: Early\n"
        "  - title: Late\n"  # line 11: after the audio's end
        '    start: "00:10:00"\n'
    )
    path = add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml(extra=chapters))
    loaded = catalog.load(show_dir)
    path.write_text("# shifted\n" * 3 + path.read_text("utf-8"), "utf-8")  # after loading
    found = rules(checks.run(loaded, NOW))
    (order,) = found["chapters-order"]
    (late,) = found["chapters-duration"]
    (notes,) = found["chapters-notes"]  # about the whole list: its 'chapters:' line
    assert (order.path, order.line, late.line, notes.line) == (path, 9, 11, 7)


def test_chapter_lines_survive_a_later_process(show_dir: Path, data_dir: Path) -> None:
    chapters = (
        'chapters:\n  - {start: "00:00:00", title: Opening}\n  - {start: "00:10:00", title: Late}\n'
    )
    add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml(extra=chapters))
    Loader(show_dir).load()
    later = Loader(show_dir)  # a new process: the episodes come from the memory on disk
    (late,) = rules(checks.run(later.load(), NOW))["chapters-duration"]
    assert later.read == 0 and late.line == 9
