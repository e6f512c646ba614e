"""Time `podcast build` on a synthetic show: clean, no-op, one edit, one added episode.

Each row is the whole command run in this process (CliRunner): load, checks, build.

Run: .venv/bin/python benchmarks/build.py [EPISODES]   (default 1,000)

The probe and loudness caches are filled first (as a `podcast check` would), so "clean" is a
build into an empty folder with warm audio probes and loudness measures (and no build
manifest): the build's own work, not ffmpeg's. Wall time, this process's CPU time and its
children's (Pagefind indexing the pages) are printed: on a shared machine the wall time
includes waiting for the disk and for other processes, the CPU times do not.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from click.testing import CliRunner  # noqa: E402
from synthetic import make_show, write_episode  # noqa: E402

from podcast.cli import cli  # noqa: E402
from podcast.read import loader  # noqa: E402

BASE = "https://example.org/otc"


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file's inode and mtime: what a build that writes nothing leaves as it was."""
    found = {}
    for top, _, names in os.walk(folder):
        for name in names:
            stat = os.stat(os.path.join(top, name))
            found[os.path.join(top, name)] = (stat.st_ino, stat.st_mtime_ns)
    return found


def timed(root: Path, out: Path, label: str) -> None:
    """Run `podcast build` once in this process and print the time and what it did."""
    before = stamps(out) if out.exists() else {}
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    result = CliRunner().invoke(cli, ["build", str(out), "--root", str(root), "--base-url", BASE])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    children = _children_cpu() - children
    assert result.exit_code == 0, result.output
    after = stamps(out)
    touched = sum(1 for path, stamp in after.items() if before.get(path) != stamp)
    said = result.output.strip().splitlines()[-1].split(" into ")[0].split(" in ")[0]
    print(
        f"{label:<12} {wall:6.2f} s wall {cpu:6.2f} s CPU {children:5.2f} s children"
        f"  {touched:5} files touched  ({said})"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Build a show of N episodes four ways and print the times."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CACHE_HOME"] = str(Path(folder) / "cache")
        root, out = make_show(Path(folder) / "show", count), Path(folder) / "site"
        loader.load(root)  # fill the probe cache: the build figures start warm
        timed(root, out, "clean")
        timed(root, out, "no-op")
        yaml = sorted(p for p in root.rglob("*.yaml") if p.name != "show.yaml")[-1]
        yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Edited", 1), "utf-8")
        timed(root, out, "one edit")
        write_episode(root, count)
        timed(root, out, "one added")
        timed(root, out, "no-op")


if __name__ == "__main__":
    main()
