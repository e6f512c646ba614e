"""Dependencies flow one way, stage by stage: errors ← model ← files ← read ← render ← checks
← site ← publish ← cli; inside a stage, modules import only those listed before them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "podcast"
# Each entry is a module ("model") or a stage package ("read"); a module may import only what
# stands before it here, and inside a stage only the modules listed before it in STAGES.
LAYERS = ["errors", "model", "files", "read", "render", "checks", "site", "stats", "publish", "cli"]
STAGES = {
    "read": [
        "parallel",
        "mpeg",
        "same_audio",
        "audio",
        "yamlfile",
        "when",
        "transcripts",
        "schema",
        "paths",
        "show",
        "languages",
        "variants",
        "remote",
        "episode",
        "catalog",
        "codec",
        "probe_cache",
        "memory",
        "ahead",
        "loader",
        "select",
        "removed",
    ],
    "render": [
        "times",
        "urls",
        "paging",
        "notes",
        "notes_memory",
        "cues",
        "chapters",
        "feedext",
        "feed",
        "seo",
        "search_words",
        "search_postings",
        "search",
        "search_cache",
        "subscribe",
        "sharing",
    ],
    "checks": [
        "context",
        "artwork",
        "show",
        "text",
        "media",
        "numbering",
        "duplicates",
        "timeline",
        "schedule",
        "rules",
        "against",
        "remote",
        "loudness",
        "audit",
    ],
    "site": ["responses", "live", "problems", "current", "page_cache", "views", "sharing", "app"],
    "stats": ["logformats", "agents", "listeners", "targets", "count", "report", "html", "run"],
    "publish": [
        "tag",
        "encode",
        "lowdata",
        "yamledit",
        "schedule",
        "add",
        "release",
        "remove",
        "listing",
        "import_fetch",
        "import_source",
        "import_write",
        "import_run",
        "fingerprints",
        "build_manifest",
        "static_search",
        "fetch",
        "links",
        "build_catalog",
        "build_report",
        "atomic_swap",
        "staging",
        "build_state",
        "build_mirror",
        "freeze",
        "build",
        "targets",
        "deploy",
        "pings",
        "verify",
        "deploy_run",
    ],
    "cli": [],
}
WEB_FRAMEWORKS = ("flask", "werkzeug", "markupsafe")
MAY_IMPORT_FLASK = {"site", "publish"}


def _modules() -> list[tuple[str, str | None, Path]]:
    """(layer, module inside the stage or None, path) for every module of the package."""
    found: list[tuple[str, str | None, Path]] = []
    for layer in LAYERS:
        if layer in STAGES:
            for path in sorted((PACKAGE / layer).glob("*.py")):
                found.append((layer, path.stem, path))
        else:
            found.append((layer, None, PACKAGE / f"{layer}.py"))
    return found


def imported_names(path: Path) -> set[str]:
    """Dotted names of our modules that `path` imports ("read.audio", "model", …)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "podcast":
            found.update(a.name for a in node.names if a.name != "__version__")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("podcast."):
            module = str(node.module).removeprefix("podcast.")
            if module in STAGES:  # from podcast.read import audio
                found.update(f"{module}.{a.name}" for a in node.names)
            else:
                found.add(module)
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("podcast.") for a in node.names if a.name.startswith("podcast.")
            )
    return found


def third_party(path: Path) -> set[str]:
    """Top-level names of the outside packages `path` imports."""
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
    return names


def _allowed(layer: str, module: str | None, imported: str) -> bool:
    head, _, tail = imported.partition(".")
    if head == layer == "cli":  # a command module (cli/NAME.py) uses the group's shared options
        return True
    if head == layer:
        order = STAGES[layer]
        return tail == "" or (module in order and tail in order[: order.index(module)])
    return head in LAYERS[: LAYERS.index(layer)]


@pytest.mark.parametrize(
    "layer,module,path", _modules(), ids=[str(p.relative_to(PACKAGE)) for *_, p in _modules()]
)
def test_imports_point_down(layer: str, module: str | None, path: Path) -> None:
    if module == "__init__":
        return
    if module is not None and layer != "cli":
        assert module in STAGES[layer], f"add {layer}/{module}.py to STAGES in this test"
    wrong = {name for name in imported_names(path) if not _allowed(layer, module, name)}
    assert not wrong, f"{path.relative_to(PACKAGE)} imports {wrong}"


@pytest.mark.parametrize("layer,module,path", _modules())
def test_only_site_and_publish_import_flask(layer: str, module: str | None, path: Path) -> None:
    if layer not in MAY_IMPORT_FLASK:
        assert not third_party(path) & set(WEB_FRAMEWORKS), path.relative_to(PACKAGE)


def test_model_imports_nothing_of_ours_but_errors() -> None:
    assert imported_names(PACKAGE / "model.py") <= {"errors"}


def test_core_never_imports_click() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "cli" not in path.relative_to(PACKAGE).parts and path.name != "__main__.py":
            assert "click" not in third_party(path), path.relative_to(PACKAGE)


def test_stats_never_imports_flask() -> None:
    # stats reads the catalog and logs beside publish; it must run without the web stack
    stats = sorted((PACKAGE / "stats").glob("*.py"))
    assert stats, "podcast/stats/ has no modules"
    for path in stats:
        assert not third_party(path) & set(WEB_FRAMEWORKS), path.relative_to(PACKAGE)
