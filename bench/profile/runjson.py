"""run.json: what a run folder holds and how it was made (the index reads it)."""

from __future__ import annotations

import json
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.load.service import ROOT
from bench.load.totals import Totals
from bench.profile.options import ProfileRequest

RUN_JSON = "run.json"
PACKAGES = ("tornado", "py-spy", "yappi", "locust", "pyinferno")


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def commit() -> tuple[str, bool]:
    """The short commit, and whether tracked files differ from it."""
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    changes = _git("status", "--porcelain", "--untracked-files=no")
    return head, bool(changes)


def versions() -> dict[str, str | None]:
    """Python's and each profiling-related package's version (None: not installed)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def now() -> str:
    """The time in UTC, as run.json writes it."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def load_numbers(total: Totals | None) -> dict[str, Any]:
    """rps, p50, p99 and failures of the load, from locust's aggregated totals."""
    if total is None:
        return {"rps": None, "p50_ms": None, "p99_ms": None, "failures": None}
    return {
        "rps": round(total.rps, 1),
        "p50_ms": total.pct(0.50),
        "p99_ms": total.pct(0.99),
        "failures": total.failures,
    }


def build(
    kind: str,
    req: ProfileRequest | None,
    started_at: str,
    total: Totals | None = None,
    mode: str | None = None,
    pictures: list[dict[str, Any]] | None = None,
    reports: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The run.json of a profile, diff or overhead run; `extra` keys are added at the end."""
    head, dirty = commit()
    config = None
    if req is not None:
        config = str(
            req.config.relative_to(ROOT) if req.config.is_relative_to(ROOT) else req.config
        )
    data: dict[str, Any] = {
        "kind": kind,
        "tool": req.tool if req else None,
        "scenario": req.scenario if req else None,
        "started_at": started_at,
        "duration_s": req.duration_s if req else None,
        "users": req.user_count if req else None,
        "rate": req.rate if req else None,
        "commit": head,
        "dirty": dirty,
        "config": config,
        "versions": versions(),
        **load_numbers(total),
        "mode": mode,
        "pictures": pictures or [],
        "reports": reports or [],
    }
    data.update(extra)
    return data


def write(folder: Path, data: dict[str, Any]) -> Path:
    """`folder/run.json`, indented for people."""
    path = folder / RUN_JSON
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


def read(folder: Path) -> dict[str, Any]:
    """A run's run.json."""
    data: dict[str, Any] = json.loads((folder / RUN_JSON).read_text())
    return data
