"""Regenerate the profiles index after a run (bench.profile.index, written alongside)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast


def regenerate(root: Path) -> Path | None:
    """`root/index.html` afresh; None, after one line, when the index module is not there."""
    try:
        module = importlib.import_module("bench.profile.index")
    except ModuleNotFoundError as e:
        if e.name != "bench.profile.index":
            raise
        print("profile: no bench.profile.index; index.html not regenerated", file=sys.stderr)
        return None
    write_index = cast(Callable[[Path], Path], module.write_index)
    return write_index(root)
