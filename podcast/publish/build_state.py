"""What a build is made from as a whole, so that an unchanged show is found without loading it.

Before loading, the episodes folder's stamps and the options are hashed (`folder_state`);
after a build they are recorded with the code, the templates and the schedule (`sources`,
in `build_manifest`). A later build whose state, code and visible set match, with every
file still in OUT as recorded, is up to date: nothing is loaded, rendered or written.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_right
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from podcast.model import Catalog
from podcast.publish import build_manifest, fingerprints
from podcast.publish.atomic_swap import MARKER, clear_leftovers
from podcast.publish.build_report import Report
from podcast.site.live import referenced, stat_sweep

Made = dict[str, tuple[str, tuple[str, ...], str]]  # URL → fingerprint, links, file ("": none)


def folder_state(root: Path, *request: object) -> str:
    """The episodes folder as it is now (every file's size and mtime) and what was asked
    (`request`: the options). Taken before the show is loaded, so a file changed during the
    load counts as changed next time."""
    try:
        stamps, _ = stat_sweep(Path(root).absolute())
    except OSError as exc:  # no folder: loading it explains that better, and nothing matches
        return fingerprints.digest(f"unreadable: {exc}", repr(request))
    return fingerprints.digest(repr(stamps), repr(request))


def up_to_date(out: Path, state: str, now: datetime, drafts: bool = False) -> Report | None:
    """The last build's report if nothing it was made from changed (`folder_state`, the code,
    no episode gone live since, its files still in `out`), found without loading the show.
    Folders killed builds left beside `out` are removed, as a build would."""
    out = Path(out).absolute()
    recorded = build_manifest.load_sources(out) if (out / MARKER).is_file() else None
    if recorded is None:
        return None
    sources, files = recorded
    schedule = sources.get("schedule", [])  # when each episode but the drafts goes live
    visible = sources.get("visible") if drafts else bisect_right(schedule, now.timestamp())
    asked = (sources.get("state"), sources.get("visible"), sources.get("drafts"))
    if asked != (state, visible, drafts):
        return None
    if sources.get("code") != fingerprints.code_version(map(Path, sources.get("folders", []))):
        return None
    if not all(entry.holds(out / relative) for relative, entry in files):
        return None
    with contextlib.suppress(OSError):
        clear_leftovers(out)  # what killed builds left, as a build would first
    return Report(out, files=len(files), bytes=sum(e.size for _, e in files), unchanged=True)


def sources(app: Flask, state: str | None) -> dict[str, Any] | None:
    """What `up_to_date` compares next time, or None where it could not tell a change."""
    if state is None:
        return None
    catalog: Catalog = app.extensions["catalog"].current()
    swept = {path for path, _, _ in stat_sweep(catalog.root)[0]}
    if any(str(path) not in swept for path in referenced(catalog)):
        return None  # a file below the folders the sweep looks at: only a load sees it change
    folders = [str(folder) for folder in app_folders(app)]
    drafts = bool(app.config["DRAFTS"])
    return {
        "state": state,
        "code": fingerprints.code_version(map(Path, folders)),
        "folders": folders,
        "drafts": drafts,
        "schedule": sorted(e.published.timestamp() for e in catalog.episodes if not e.draft),
        "visible": len(catalog.visible(app_now(app), drafts)),
    }


def remember(out: Path, made: Made, whole: dict[str, Any] | None) -> None:
    """Keep what this build made each file from (and, `whole`, what it was made from as a
    whole), for the next one; a failure only costs the next build time."""
    with contextlib.suppress(OSError):
        build_manifest.save(out, made, whole)


def app_folders(app: Flask) -> list[Path]:
    """The app's templates and static files."""
    folders = [Path(app.template_folder or ""), Path(app.static_folder or "")]
    return [Path(app.root_path, folder) for folder in folders if str(folder) != "."]


def app_now(app: Flask) -> datetime:
    """The app's clock (a build's is fixed at its start), else the system's."""
    clock: Callable[[], datetime] | None = app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)
