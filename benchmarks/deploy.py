"""Time `podcast deploy` of a 1,000-episode show to a local SeaweedFS: first, no-change, one edit.

    .venv/bin/python benchmarks/deploy.py [EPISODES]

Each deploy is the CLI's whole path: build into the staging folder, hash, plan, upload. Wall
time, and CPU seconds of this process and the children it waited for (workers, Pagefind): the
fairer figure on a shared machine. The store runs until the end, so its CPU is not counted.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import boto3
from click.testing import CliRunner

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parent.parent / "tests")]
from support.seaweed import Seaweed  # noqa: E402
from synthetic import make_show, write_episode  # noqa: E402

from podcast.cli import cli  # noqa: E402


def cpu_seconds() -> float:
    """User and system CPU of this process and its waited-for children."""
    now = os.times()
    return now.user + now.system + now.children_user + now.children_system


def timed(label: str, args: list[str]) -> None:
    """Run one deploy and print its wall time and summary."""
    start, cpu = time.perf_counter(), cpu_seconds()
    result = CliRunner().invoke(cli, args)
    elapsed, used = time.perf_counter() - start, cpu_seconds() - cpu
    assert result.exit_code == 0, result.output
    summary = [line for line in result.output.splitlines() if line.startswith("Deployed")]
    print(f"{label:<22} {elapsed:7.1f} s  {used:6.1f} s CPU   {summary[-1] if summary else ''}")


def main(count: int) -> None:
    """Start a store, deploy the show three times."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        store = Seaweed(folder / "store").start()
        try:
            os.environ.update(store.env, XDG_CACHE_HOME=str(folder / "cache"))
            boto3.client("s3", endpoint_url=store.endpoint).create_bucket(Bucket="bench-show")
            root = make_show(folder / "episodes", count)
            args = [
                "deploy",
                "s3://bench-show",
                "--root",
                str(root),
                "--endpoint-url",
                store.endpoint,
                "--base-url",
                "https://listen.example.org",
            ]
            timed("first deploy", args)
            timed("no-change deploy", args)
            write_episode(root, count // 2, title_suffix=" (corrected)")
            timed("one-episode deploy", args)
        finally:
            store.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
