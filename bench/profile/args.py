"""`./run.py profile`'s command line: the flags, the combinations it refuses, the request."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from bench.argtypes import duration, positive
from bench.load.scenarios import SCENARIOS
from bench.load.service import HTTP_TRANSPORTS
from bench.profile.options import CLOCKS, PROFILES, TOOLS, ProfileRequest
from bench.profile.pyspy import Sampling

DESCRIPTION = (
    "`./run.py profile`: flame graphs of the service under load (py-spy or yappi), diffs, overhead."
)


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(prog="./run.py profile", description=DESCRIPTION)
    p.add_argument("--tool", choices=TOOLS, help="the profiler")
    p.add_argument("--scenario", choices=SCENARIOS, default="crud", help="default: crud")
    p.add_argument("--duration", type=duration, default=30.0, help="load time (default 30s)")
    p.add_argument("--users", type=positive(int), help="closed model: users (default 10)")
    p.add_argument("--rate", type=positive(float), help="open model: iterations per second")
    p.add_argument("--profiles", type=Path, default=PROFILES, help="output root (profiles/)")
    p.add_argument("--config", type=Path, help="service config (default: the load config)")
    p.add_argument(
        "--http", choices=HTTP_TRANSPORTS, help="the service's transport (default: llhttp)"
    )
    spy = p.add_argument_group("py-spy")
    spy.add_argument("--sample-rate", type=positive(int), help="samples a second (100)")
    spy.add_argument("--native", action="store_true", help="py-spy --native: C frames too")
    spy.add_argument(
        "--gil",
        action=argparse.BooleanOptionalAction,
        help="on-CPU picture: only the thread holding the GIL (the default); --no-gil: all threads",
    )
    spy.add_argument(
        "--nonblocking", action="store_true", help="py-spy --nonblocking: no pause per sample"
    )
    spy.add_argument("--launch", action="store_true", help="let py-spy start the service")
    spy.add_argument("--idle", action="store_true", help="launch mode: wall incl. idle")
    yappi = p.add_argument_group("yappi")
    yappi.add_argument("--clock", choices=CLOCKS, help="both (default): a pass per clock")
    other = p.add_argument_group("other modes")
    other.add_argument("--diff", nargs=2, metavar=("A", "B"), help="diff two runs (red: more in B)")
    other.add_argument("--overhead", action="store_true", help="cost of each profiler")
    other.add_argument("--rounds", type=positive(int), default=3, help="overhead rounds (3)")
    return p


def check(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse combinations that mean nothing, as argparse does: one line, exit 2."""
    if args.rate is not None and args.users is not None:
        p.error("--rate (open model) and --users (closed model) exclude each other")
    if args.diff and args.overhead:
        p.error("--diff and --overhead exclude each other")
    if (args.diff or args.overhead) and args.tool:
        p.error("--tool profiles one run; --diff and --overhead take none")
    if args.overhead and (args.clock or args.launch or args.idle):
        p.error(
            "--overhead measures py-spy attached and yappi's wall clock: no --clock or --launch"
        )
    if not (args.diff or args.overhead or args.tool):
        p.error("--tool (py-spy or yappi) is required, unless --diff A B or --overhead")
    spy_only = args.native or args.gil is not None or args.nonblocking or args.launch or args.idle
    spy_only = spy_only or args.sample_rate
    if args.tool == "yappi" and spy_only:
        p.error("--sample-rate, --native, --gil, --nonblocking, --launch and --idle are py-spy's")
    if args.tool == "py-spy" and args.clock:
        p.error("--clock is yappi's")
    if args.config is not None and not args.config.is_file():
        p.error(f"--config: no such file: {args.config}")


def request(args: argparse.Namespace) -> ProfileRequest:
    gil = args.gil is not False  # on by default: the on-CPU picture shows only what ran
    sampling = Sampling(args.sample_rate or 100, args.native, gil, args.nonblocking)
    req = ProfileRequest(
        tool=args.tool, scenario=args.scenario, duration_s=args.duration, users=args.users,
        rate=args.rate, profiles=args.profiles.resolve(), sampling=sampling, idle=args.idle,
        launch=args.launch, clock=args.clock or "both", rounds=args.rounds, http=args.http,
    )  # fmt: skip
    return replace(req, config=args.config.resolve()) if args.config else req
