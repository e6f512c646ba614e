"""read.schema: one declaration per key drives reading, unknown-key warnings and the docs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from podcast.errors import CatalogError, Problem, Severity
from podcast.read import schema
from podcast.read.catalog import default_root, load
from podcast.read.yamlfile import read_mapping

DOCS = Path(__file__).parent.parent.parent / "docs" / "producers.md"
BEGIN, END = "<!-- keys: begin (tools/key_reference.py writes this) -->", "<!-- keys: end -->"
EPISODE = "season-1/01-why-we-call-it-an-emergency.yaml"
Writer = Callable[[str, str], Path]


def without(text: str, key: str) -> str:
    """`text` with the top-level `key:` and its indented continuation lines removed."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith(f"{key}:"):
            skipping = True
            continue
        if skipping and line[:1] in (" ", "\t"):
            continue
        skipping = False
        kept.append(line)
    return "".join(kept)


def problems(root: Path) -> tuple[Problem, ...]:
    try:
        return load(root).warnings
    except CatalogError as error:
        return error.problems


def test_docs_hold_the_reference_the_table_writes() -> None:
    text = DOCS.read_text("utf-8")
    assert BEGIN in text and END in text, "docs/producers.md lost its key-reference markers"
    written = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert written == schema.reference().strip(), "run `python tools/key_reference.py`"


@pytest.mark.parametrize("table", schema.TABLES, ids=[t.heading for t in schema.TABLES])
def test_docs_name_every_key_of_every_table(table: type[schema.Table]) -> None:
    section = DOCS.read_text("utf-8").split(f"### {table.heading}\n", 1)[1].split("###", 1)[0]
    for spec in table.keys():
        assert f"| `{spec.name}` |" in section, f"{spec.name} is missing from the docs"


def test_each_key_is_declared_once_per_table() -> None:
    for table in schema.TABLES:
        names = [spec.name for spec in table.keys()]
        assert len(names) == len(set(names)) and names, table.heading


@pytest.mark.parametrize(
    "path,line,key,close",
    [
        ("show.yaml", "titel: x\n", "titel", "title"),
        (EPISODE, "sumary: x\n", "sumary", "summary"),
        (EPISODE, "chapters:\n  - {start: '00:00:00', title: Intro, urll: x}\n", "urll", "url"),
        (EPISODE, "guests:\n  - {name: A Guest, rol: guest}\n", "rol", "role"),
    ],
)
def test_unknown_key_is_warned_with_the_closest_declared_name(
    show_dir: Path, write: Writer, path: str, line: str, key: str, close: str
) -> None:
    target = show_dir / path
    text = target.read_text("utf-8")
    write(path, text + line)
    found = [p for p in problems(show_dir) if f"unknown key '{key}'" in p.message]
    assert len(found) == 1, problems(show_dir)
    assert found[0].severity is Severity.WARNING and found[0].path == target
    assert found[0].line == text.count("\n") + line.count("\n")
    assert found[0].hint == f"did you mean '{close}'?"


def test_no_declared_key_is_reported_unknown(show_dir: Path, write: Writer) -> None:
    lines = [f"{spec.name}: null\n" for spec in schema.EpisodeKeys.keys()]
    write("season-1/02-what-health-equity-means.yaml", "".join(lines))
    unknown = [p for p in problems(show_dir) if "unknown key" in p.message]
    assert not unknown, unknown


def test_typed_read_returns_the_default_not_none(tmp_path: Path) -> None:
    path = tmp_path / "show.yaml"
    path.write_text("subtitle:\nlanguage: ''\nexplicit: maybe\n", "utf-8")
    found: list[Problem] = []
    fields = read_mapping(path, found)
    assert fields is not None
    assert schema.ShowKeys.subtitle.read(fields) == ""  # null: the default
    assert schema.ShowKeys.language.read(fields) == "en"  # empty text counts as absent
    assert schema.ShowKeys.artwork.read(fields) == "artwork.jpg"  # absent
    assert schema.ShowKeys.explicit.read(fields) is False  # wrong type: default, and an error
    assert schema.ShowKeys.license.read(fields) is None  # no default: None
    assert [(p.line, p.message) for p in found] == [
        (3, "'explicit' should be true or false, not text")
    ]


def test_empty_language_in_show_yaml_is_english(show_dir: Path, write: Writer) -> None:
    text = (show_dir / "show.yaml").read_text("utf-8")
    write("show.yaml", text.replace("language: en-us", "language: ''"))
    assert load(show_dir).show.language == "en"


REQUIRED = [
    ("show.yaml", spec)
    for spec in schema.ShowKeys.keys()
    if spec.required and spec.name not in ("language", "explicit")  # these have defaults
] + [(EPISODE, spec) for spec in schema.EpisodeKeys.keys() if spec.required]


@pytest.mark.parametrize("path,spec", REQUIRED, ids=[f"{p}:{s.name}" for p, s in REQUIRED])
def test_a_missing_required_key_is_an_error_naming_it(
    show_dir: Path, write: Writer, path: str, spec: schema.Spec
) -> None:
    text = (show_dir / path).read_text("utf-8")
    assert f"\n{spec.name}:" in text or text.startswith(f"{spec.name}:")
    write(path, without(text, spec.name))
    errors = [p for p in problems(show_dir) if p.severity is Severity.ERROR]
    assert [p.message for p in errors] == [f"missing required key '{spec.name}'"]
    assert errors[0].path == show_dir / path and errors[0].hint


def test_required_keys_with_defaults_still_report_when_missing(
    show_dir: Path, write: Writer
) -> None:
    text = (show_dir / "show.yaml").read_text("utf-8")
    write("show.yaml", without(without(text, "language"), "explicit"))
    errors = [p.message for p in problems(show_dir) if p.severity is Severity.ERROR]
    assert errors == ["missing required key 'language'", "missing required key 'explicit'"]


def test_the_shipped_show_uses_only_declared_keys() -> None:
    for path in [default_root() / "show.yaml", default_root() / EPISODE]:
        fields = read_mapping(path, [])
        assert fields is not None
        table = schema.ShowKeys if path.name == "show.yaml" else schema.EpisodeKeys
        assert set(fields.nodes) <= table.known()
