"""Another process holding a lock: what a second server or builder looks like to the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def hold_lock(path: Path) -> subprocess.Popen[str]:
    """Another process holding the builders' lock until its input ends."""
    code = (
        "import fcntl, os, sys\n"
        f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.lockf(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\nsys.stdin.read()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    return process
