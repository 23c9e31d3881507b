"""Run `python -m bench.profile` for real, as a user would, and read the folder it printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.load import last_line
from tests.support.server import REPO

LOAD = ("--scenario", "crud", "--duration", "3", "--users", "4")
"""A short crud load: long enough for a few hundred samples, short enough for CI."""


def profile(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m bench.profile ARGS --profiles root`, to completion."""
    return subprocess.run(
        [sys.executable, "-m", "bench.profile", *args, "--profiles", str(root)],
        cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def finished(result: subprocess.CompletedProcess[str], root: Path) -> tuple[Path, dict[str, Any]]:
    """The run folder the run printed last, which must be under `root`, and its run.json."""
    assert result.returncode == 0, result.stdout + result.stderr
    folder = Path(last_line(result.stdout))
    assert folder.parent == root
    return folder, json.loads((folder / "run.json").read_text())
