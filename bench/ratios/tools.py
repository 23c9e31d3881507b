"""wrk on PATH: there already, installed from Debian's package when we may, or a line saying how."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable

HOW = (
    "wrk is missing: install it (Debian/Ubuntu: sudo apt-get install wrk; "
    "elsewhere: https://github.com/wg/wrk) and run again"
)


def install_command(euid: int, which: Callable[[str], str | None]) -> list[str] | None:
    """apt-get install wrk, through sudo unless we are root; None when neither can work."""
    if which("apt-get") is None:
        return None
    apt = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-y", "-q"]
    if euid == 0:
        return apt
    return ["sudo", *apt] if which("sudo") else None


def _apt(base: list[str], *args: str) -> bool:
    done = subprocess.run([*base, *args], capture_output=True, check=False)
    return done.returncode == 0


def ensure_wrk(
    say: Callable[[str], object] = lambda line: print(line, file=sys.stderr),
) -> str | None:
    """None once wrk is on PATH (installing it if we can); else the line that tells how."""
    if shutil.which("wrk"):
        return None
    apt = install_command(os.geteuid(), shutil.which)
    if apt is None:
        return HOW
    how = " ".join(apt[2:])
    say(f"run.py bench: wrk is missing; installing Debian's wrk package ({how} install wrk)")
    install = ("install", "--no-install-recommends", "wrk")
    # Package lists go stale or are absent on a fresh image: refresh them only if needed.
    if not _apt(apt, *install):
        _apt(apt, "update") and _apt(apt, *install)
    return None if shutil.which("wrk") else f"could not install wrk with apt-get; {HOW}"
