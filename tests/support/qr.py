"""Reading a QR code back from a picture with zbarimg (zbar-tools), as a phone camera would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def decode_qr(picture: Path) -> str:
    """The text the QR code in `picture` holds; skips where zbarimg is not installed."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbarimg (zbar-tools) is not installed: the code was not decoded")
    decoded = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(picture)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return decoded.stdout.strip()
