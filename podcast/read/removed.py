"""Episodes taken out with `podcast remove`: their files wait in `episodes/.removed/`.

The folder is hidden, so the loader never reads it as part of the show; each removal is a
folder holding the episode's files at their old paths and a `removed.yaml` record, so that
`check --against` can tell an episode removed on purpose from one that vanished.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

REMOVED_DIR = ".removed"
RECORD = "removed.yaml"


@dataclass(frozen=True, slots=True)
class RemovedEpisode:
    """What the record of one removal says."""

    guid: str
    title: str
    slug: str
    removed: str  # when, as written (ISO 8601)
    folder: Path  # where its files are now


def removed(root: Path) -> dict[str, RemovedEpisode]:
    """Every removed episode under `root`, by guid; unreadable records are skipped."""
    found: dict[str, RemovedEpisode] = {}
    for path in sorted((Path(root) / REMOVED_DIR).glob(f"*/{RECORD}")):
        record = _record(path)
        if record is not None:
            found[record.guid] = record
    return found


def _record(path: Path) -> RemovedEpisode | None:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("guid"), str):
        return None
    return RemovedEpisode(
        guid=data["guid"],
        title=str(data.get("title", "")),
        slug=str(data.get("slug", "")),
        removed=str(data.get("removed", "")),
        folder=path.parent,
    )
