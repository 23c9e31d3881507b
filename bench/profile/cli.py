"""`./run.py profile`: flame graphs of the service under load (py-spy or yappi), diffs, overhead."""

from __future__ import annotations

import signal
import sys
from dataclasses import replace
from pathlib import Path
from types import FrameType

from bench.load import cpus
from bench.load.seed import SeedError
from bench.load.service import ServiceError
from bench.profile import args as cli_args
from bench.profile import diff, folders, layer_table, overhead_run, profile_run, reindex, runjson
from bench.profile.collapsed import CollapsedError
from bench.profile.options import ProfileRequest
from bench.profile.pyspy import PySpyMissing
from bench.profile.session import ProfileError, pin_harness
from taskservice.profiling import RenderError

FAILURES = (ProfileError, ServiceError, SeedError, PySpyMissing, RenderError, CollapsedError)
"""What ends a run with one line and exit 1."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _finish(req: ProfileRequest, folder: Path, lines: list[str]) -> int:
    for line in lines:
        print(line)
    index = reindex.regenerate(req.profiles)
    if index is not None:
        print(f"profile: index {index}")
    print(folder)
    return 0


def _diff(req: ProfileRequest, a: str, b: str) -> int:
    try:
        folder = diff.run(req.profiles, a, b)
    except (LookupError, folders.FolderError) as e:  # an unknown run, no common picture, ...
        print(f"./run.py profile: error: {e.args[0]}", file=sys.stderr)
        return 2
    except FAILURES as e:
        print(f"profile: {e}", file=sys.stderr)
        return 1
    names = [line.name for line in sorted(folder.glob("diff-*.svg"))]
    lines = [f"profile: {name} (red: more time in B)" for name in names]
    rows = runjson.read(folder).get("layers_diff")
    if rows:
        lines.append("profile: CPU µs per request by layer, A -> B:")
        lines += ["  " + line for line in layer_table.diff_lines(rows)]
    else:
        lines.append("profile: no layer change: a run has no layer table (made before it existed)")
    profile_run.write_summary(folder, runjson.read(folder), lines)
    return _finish(req, folder, lines)


def main(argv: list[str] | None = None) -> int:
    """Parse, then profile, diff or measure overhead; print the folder last."""
    p = cli_args.parser()
    args = p.parse_args(argv)
    cli_args.check(p, args)
    req = cli_args.request(args)
    if args.diff:
        return _diff(req, *args.diff)
    name = f"overhead-{req.scenario}" if args.overhead else f"profile-{req.tool}-{req.scenario}"
    try:
        folder = folders.new_folder(req.profiles, name)
    except folders.FolderError as e:  # --profiles names no usable folder: a bad argument
        print(f"./run.py profile: error: {e}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    req = replace(req, pinning=cpus.plan())
    pin_harness(req.pinning)
    try:
        if args.overhead:
            lines = overhead_run.run(req, folder).splitlines()
        else:
            lines = profile_run.summary(folder, profile_run.run(req, folder))
    except KeyboardInterrupt:
        print("profile: interrupted", file=sys.stderr)
        return 130
    except FAILURES as e:
        print(f"profile: {e}", file=sys.stderr)
        return 1
    return _finish(req, folder, lines)
