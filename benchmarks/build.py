"""Time `podcast build` on a synthetic show: clean, no-op, and after editing one episode.

Run: .venv/bin/python benchmarks/build.py [EPISODES]   (default 1,000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_show  # noqa: E402

from podcast.publish import build as export  # noqa: E402
from podcast.site.app import create_app  # noqa: E402

BASE = "https://example.org/otc"


def timed(root: Path, out: Path, label: str) -> None:
    """Build once from a freshly loaded catalog and print the time and what was written."""
    start = time.perf_counter()
    report = export.build(create_app({"EPISODES_ROOT": root, "BASE_URL": BASE}), out, BASE)
    seconds = time.perf_counter() - start
    print(f"{label:<12} {seconds:7.2f} s  {report.files} files, {len(report.written)} written")


def main() -> None:
    """Build a show of N episodes three ways and print the times."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as folder:
        root, out = make_show(Path(folder) / "show", count), Path(folder) / "site"
        timed(root, out, "clean")
        timed(root, out, "no-op")
        yaml = sorted(p for p in root.rglob("*.yaml") if p.name != "show.yaml")[-1]
        yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Edited", 1), "utf-8")
        timed(root, out, "one edit")


if __name__ == "__main__":
    main()
