"""What tests need that pip cannot install, and the one line `./run.py test` ends with: what was
skipped for want of it, and the command that installs it.

Tests skip through `skip_or_fail(need, reason)`. Loaded as a plugin (`-p tests.support.needs`,
as run.py does) this module also writes every skip, with its reason and need, as JSON to the
file that the environment variable SUMMARY_ENV names; `summary` turns that into the line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

SUMMARY_ENV = "TASKSERVICE_SKIP_SUMMARY"


@dataclass(frozen=True)
class Need:
    """Something a test needs from the machine, and the Debian package that brings it, if any."""

    what: str
    package: str | None = None


POSTGRES = Need("PostgreSQL (initdb, pg_ctl)", "postgresql")
POSTGRES_SERVER = Need("a PostgreSQL server (TASKSERVICE_TEST_POSTGRES)")
POSTGRES_USER = Need("a 'postgres' user for the server to run as (it will not run as root)")
CHROMIUM = Need("Chromium", "chromium")
WRK = Need("wrk", "wrk")


# Each reason skip_or_fail gave, and the need behind it: the plugin finds the need by reason.
_needs: dict[str, Need] = {}


def skip_or_fail(need: Need, reason: str) -> NoReturn:
    """Skip for want of `need`; under CI, where .ci/run provides it, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run provides it, so CI must have it", pytrace=False)
    _needs[reason] = need
    pytest.skip(reason)


# --- the plugin: every skip, with its need, to the file SUMMARY_ENV names --------------------

_skips: list[dict[str, Any]] = []


def _record(report: pytest.TestReport | pytest.CollectReport) -> None:
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)
    reason = reason.removeprefix("Skipped: ")
    need = _needs.get(reason)
    _skips.append({"test": report.nodeid, "reason": reason, "need": asdict(need) if need else None})


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Note each test skipped (xfails aside), with what it lacked if skip_or_fail said."""
    _record(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """Note a module skipped whole at collection."""
    _record(report)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the skips where SUMMARY_ENV says, if it says."""
    if path := os.environ.get(SUMMARY_ENV):
        Path(path).write_text(json.dumps({"skipped": _skips}, indent=1) + "\n")


# --- the line --------------------------------------------------------------------------------


def _and(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def summary(skips: Sequence[dict[str, Any]], root: bool) -> str | None:
    """One line: how many tests skipped, what the machine lacks, and the command that installs
    it (through sudo unless `root`); None when nothing skipped."""
    if not skips:
        return None
    needs = [Need(**s["need"]) for s in skips if s.get("need")]
    others = len(skips) - len(needs)
    tests = f"{len(skips)} test{'s' * (len(skips) != 1)} skipped"
    if not needs:
        return f"{tests}; pytest's SKIPPED lines above say why"
    missing = list(dict.fromkeys(n.what for n in needs))
    line = f"{tests}: {_and(missing)} missing"
    if others:
        line += f"; {others} more for other reasons (pytest's SKIPPED lines above say which)"
    packages = list(dict.fromkeys(n.package for n in needs if n.package))
    if packages:
        sudo = "" if root else "sudo "
        them = "them" if len(packages) > 1 else "it"
        line += f"; install {them} with: {sudo}apt-get install {' '.join(packages)}"
    return line


def summary_from(path: Path, root: bool) -> str | None:
    """The line for the skips pytest wrote to `path`; None if it wrote none (or no file)."""
    try:
        skips = json.loads(path.read_text())["skipped"]
    except (OSError, ValueError, KeyError):
        return None
    return summary(skips, root)
