"""yappi inside the service: one pass of the load per clock, then the files the service wrote."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load.runner import RunResult
from bench.profile import session
from bench.profile.options import ProfileRequest
from bench.profile.session import ProfileError

OUTPUT = "yappi"
"""The folder, inside the run's, the service writes its yappi files into at shutdown."""
STOP_WAIT_S = 120.0
"""The service saves pstat, callgrind and the flame graph after draining: give it time."""


def files(clock: str) -> dict[str, str]:
    """What the service writes for one clock (taskservice's contract), by kind."""
    stem = f"yappi-{clock}"
    return {
        "collapsed": f"{stem}.collapsed",
        "svg": f"{stem}.svg",
        "pstat": f"{stem}.pstat",
        "callgrind": f"{stem}.callgrind",
        "top": f"{stem}-top.txt",
    }


def reports(clock: str) -> list[dict[str, Any]]:
    """run.json report entries for one clock's non-picture files."""
    names = files(clock)
    return [
        {"title": f"yappi {clock}: top 30 per endpoint", "path": names["top"]},
        {"title": f"yappi {clock}: pstat (snakeviz)", "path": names["pstat"]},
        {"title": f"yappi {clock}: callgrind (kcachegrind)", "path": names["callgrind"]},
    ]


def server_args(clock: str, output: Path) -> list[str]:
    """The service's flags for a whole-run yappi profile on `clock`."""
    return ["--yappi", "--yappi-clock", clock, "--yappi-output", str(output)]


def collect(output: Path, folder: Path, clock: str, log: Path) -> list[str]:
    """Move one clock's files from the service's output folder into the run folder."""
    names = files(clock)
    if not (output / names["collapsed"]).is_file():
        raise ProfileError(f"the service wrote no {names['collapsed']} into {output}; see {log}")
    moved = []
    for name in names.values():
        if (output / name).is_file():
            shutil.move(output / name, folder / name)
            moved.append(name)
    return moved


@dataclass
class Pass:
    """One load pass under one yappi clock, and the folder holding its locust reports."""

    clock: str
    result: RunResult
    load_folder: Path


def one_pass(req: ProfileRequest, folder: Path, load_folder: Path, clock: str) -> Pass:
    """Start the service with yappi on `clock`, load it, stop it, keep what it wrote."""
    output = folder / OUTPUT
    log = load_folder / "server.log"
    load_folder.mkdir(parents=True, exist_ok=True)
    with session.service(req, log, server_args(clock, output), stop_wait=STOP_WAIT_S) as svc:
        result = session.drive(req, svc, load_folder)
    collect(output, folder, clock, log)
    if output.is_dir() and not any(output.iterdir()):
        output.rmdir()
    return Pass(clock, result, load_folder)


def run(req: ProfileRequest, folder: Path) -> list[Pass]:
    """A pass per clock; with two, each pass's load reports go into `load-<clock>/`."""
    clocks = req.clocks
    return [
        one_pass(req, folder, folder if len(clocks) == 1 else folder / f"load-{clock}", clock)
        for clock in clocks
    ]
