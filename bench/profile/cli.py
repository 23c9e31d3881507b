"""`./run.py profile`: flame graphs of the service under load (py-spy or yappi), diffs, overhead."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import FrameType

from bench.load import cpus
from bench.load.options import parse_duration
from bench.load.scenarios import SCENARIOS
from bench.load.seed import SeedError
from bench.load.service import ServiceError
from bench.profile import diff, folders, overhead_run, profile_run, reindex
from bench.profile.options import CLOCKS, PROFILES, TOOLS, ProfileRequest
from bench.profile.pyspy import PySpyMissing, Sampling
from bench.profile.render import RenderError
from bench.profile.session import ProfileError, pin_harness

FAILURES = (ProfileError, ServiceError, SeedError, PySpyMissing, RenderError, ValueError)
"""What ends a run with one line and exit 1 (a bad collapsed file raises ValueError)."""


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(prog="./run.py profile", description=__doc__)
    p.add_argument("--tool", choices=TOOLS, help="the profiler")
    p.add_argument("--scenario", choices=SCENARIOS, default="crud", help="default: crud")
    p.add_argument("--duration", type=_duration, default=30.0, help="load time (default 30s)")
    p.add_argument("--users", type=_positive(int), help="closed model: users (default 10)")
    p.add_argument("--rate", type=_positive(float), help="open model: iterations per second")
    p.add_argument("--profiles", type=Path, default=PROFILES, help="output root (profiles/)")
    p.add_argument("--config", type=Path, help="service config (default: the load config)")
    spy = p.add_argument_group("py-spy")
    spy.add_argument("--sample-rate", type=_positive(int), help="samples a second (100)")
    spy.add_argument("--native", action="store_true", help="py-spy --native: C frames too")
    spy.add_argument("--gil", action="store_true", help="py-spy --gil: only samples holding it")
    spy.add_argument("--launch", action="store_true", help="let py-spy start the service")
    spy.add_argument("--idle", action="store_true", help="launch mode: wall incl. idle")
    yappi = p.add_argument_group("yappi")
    yappi.add_argument("--clock", choices=CLOCKS, help="both (default): a pass per clock")
    other = p.add_argument_group("other modes")
    other.add_argument("--diff", nargs=2, metavar=("A", "B"), help="diff two runs (red: more in B)")
    other.add_argument("--overhead", action="store_true", help="cost of each profiler")
    other.add_argument("--rounds", type=_positive(int), default=3, help="overhead rounds (3)")
    return p


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def check(text: str) -> int | float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError("must be > 0")
        return value

    return check


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _check(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse combinations that mean nothing, as argparse does: one line, exit 2."""
    if args.rate is not None and args.users is not None:
        p.error("--rate (open model) and --users (closed model) exclude each other")
    if args.diff and args.overhead:
        p.error("--diff and --overhead exclude each other")
    if (args.diff or args.overhead) and args.tool:
        p.error("--tool profiles one run; --diff and --overhead take none")
    if not (args.diff or args.overhead or args.tool):
        p.error("--tool (py-spy or yappi) is required, unless --diff A B or --overhead")
    spy_only = args.native or args.gil or args.launch or args.idle or args.sample_rate
    if args.tool == "yappi" and spy_only:
        p.error("--sample-rate, --native, --gil, --launch and --idle are py-spy's")
    if args.tool == "py-spy" and args.clock:
        p.error("--clock is yappi's")


def _request(args: argparse.Namespace) -> ProfileRequest:
    sampling = Sampling(args.sample_rate or 100, args.native, args.gil)
    req = ProfileRequest(
        tool=args.tool, scenario=args.scenario, duration_s=args.duration, users=args.users,
        rate=args.rate, profiles=args.profiles.resolve(), sampling=sampling, idle=args.idle,
        launch=args.launch, clock=args.clock or "both", rounds=args.rounds,
    )  # fmt: skip
    return replace(req, config=args.config.resolve()) if args.config else req


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
    except (folders.RunNotFound, LookupError) as e:
        print(f"./run.py profile: error: {e.args[0]}", file=sys.stderr)
        return 2
    names = [line.name for line in sorted(folder.glob("diff-*.svg"))]
    return _finish(req, folder, [f"profile: {name} (red: more time in B)" for name in names])


def main(argv: list[str] | None = None) -> int:
    """Parse, then profile, diff or measure overhead; print the folder last."""
    p = parser()
    args = p.parse_args(argv)
    _check(p, args)
    req = _request(args)
    if args.diff:
        return _diff(req, *args.diff)
    signal.signal(signal.SIGTERM, _interrupt)
    req = replace(req, pinning=cpus.plan())
    pin_harness(req.pinning)
    name = f"overhead-{req.scenario}" if args.overhead else f"profile-{req.tool}-{req.scenario}"
    folder = folders.new_folder(req.profiles, name)
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
