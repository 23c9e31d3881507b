"""Headless Chromium for end-to-end tests of pages: the DOM after scripts ran, and screenshots."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

from tests.support import needs

# Without these, Chromium on a closed network waits on services it cannot reach, and as root it
# refuses to start its sandbox.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT = 60.0


def chromium_or_skip() -> str:
    """Chromium's path; without it, skip locally but fail in CI, where it must be installed."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    needs.skip_or_fail(needs.CHROMIUM, "chromium is not installed (apt-get install chromium)")


def _run(chromium: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        done = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    assert done.returncode == 0, f"chromium exited {done.returncode}: {done.stderr[-2000:]}"
    return done


def dump_dom(chromium: str, url: str) -> str:
    """The document at `url` serialised after it loaded (and its scripts ran)."""
    return _run(chromium, "--dump-dom", url).stdout


def screenshot(chromium: str, url: str, png: Path, size: tuple[int, int] = (1280, 800)) -> Path:
    """A PNG of the page at `url` as a window of `size` shows it."""
    _run(chromium, f"--screenshot={png}", f"--window-size={size[0]},{size[1]}", url)
    return png


def distinct_rows(png: Path) -> int:
    """How many different rows the PNG stores: a handful for a blank page, hundreds for text."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4, 0: 1, 4: 2}.get(color, 4) * max(depth // 8, 1)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp + 1  # each row starts with its filter byte
    # Rows are compared as stored (filtered), not decoded: close enough to tell blank from not.
    return len({raw[r * stride : (r + 1) * stride] for r in range(height)})
