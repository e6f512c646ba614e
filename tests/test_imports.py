"""Dependencies flow one way: model ← readers ← renderers ← web/cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "podcast"
# What each module may import from the package; anything not listed may import only
# modules that themselves sit lower in this order.
LAYERS = [
    "errors",
    "model",
    "shipped",
    "files",
    "audio",
    "yamlfile",
    "catalog",
    "cache",
    "notes",
    "transcripts",
    "chapters",
    "feedext",
    "feed",
    "checks",
    "published",
    "search",
    "seo",
    "subscribe",
    "store",
    "http",
    "web",
    "export",
    "episode_writer",
    "cli",
]


def imports_of(module: Path) -> set[str]:
    tree = ast.parse(module.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "podcast":
            found.update(a.name for a in node.names if (PACKAGE / f"{a.name}.py").exists())
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("podcast."):
            found.add(str(node.module).split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("podcast."))
    return found


@pytest.mark.parametrize("name", LAYERS)
def test_imports_point_down(name: str) -> None:
    allowed = set(LAYERS[: LAYERS.index(name)]) | {"__init__"}
    imported = imports_of(PACKAGE / f"{name}.py") - {name}
    assert imported <= allowed | {""}, f"{name} imports {imported - allowed}"


def test_model_imports_nothing_of_ours_but_errors() -> None:
    assert imports_of(PACKAGE / "model.py") <= {"errors"}


def test_core_never_imports_click() -> None:
    for module in PACKAGE.glob("*.py"):
        if module.name not in ("cli.py", "__main__.py"):
            assert "click" not in module.read_text(), module.name
