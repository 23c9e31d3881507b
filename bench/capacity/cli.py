"""`./run.py load --find-capacity`: its options, their checks, and the run with its verdict."""

from __future__ import annotations

import argparse
import sys

from bench.argtypes import duration, percent, positive
from bench.capacity.driver import Settings, find
from bench.capacity.search import Plan
from bench.load.options import LoadOptions
from bench.load.service import ServiceError

DEFAULT_SLO = {"p99_ms": 50.0, "error_rate": 0.01}
"""The SLO when --slo is not given: p99 from intended start within 50 ms, under 1% errors."""


def warmup(text: str) -> float:
    """`0`, or a duration such as `3s`, as argparse's `type=`."""
    return 0.0 if text.strip().rstrip("s") in ("0", "0.0") else duration(text)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The search's options, in a group of their own."""
    g = p.add_argument_group(
        "capacity",
        "--find-capacity steps the open-model rate up (x2), then bisects, to the highest rate "
        "whose latency and errors meet --slo (default p99_ms=50,error_rate=0.01); exit 0 with a "
        "rate, 1 without one, 2 on bad arguments",
    )
    g.add_argument(
        "--find-capacity",
        action="store_true",
        help="find the highest open-model rate that meets --slo (headless)",
    )
    g.add_argument(
        "--max-duration",
        metavar="DURATION",
        type=duration,
        default=180.0,
        help="time limit of the whole search (default 3m)",
    )
    g.add_argument(
        "--step-duration",
        metavar="DURATION",
        type=duration,
        default=10.0,
        help="each step's run time, its warm-up included (default 10s)",
    )
    g.add_argument(
        "--warmup",
        metavar="DURATION",
        type=warmup,
        help="first seconds of each step (of a --headless run) left out of its numbers"
        " (default 3s with --find-capacity, else 0)",
    )
    g.add_argument(
        "--start-rate",
        metavar="RATE",
        type=positive(float),
        default=Plan.start,
        help=f"the first and lowest step, iterations/s (default {Plan.start:g})",
    )
    g.add_argument(
        "--max-rate",
        metavar="RATE",
        type=positive(float),
        default=Plan.ceiling,
        help=f"no step above this rate (default {Plan.ceiling:g})",
    )
    g.add_argument(
        "--resolution",
        type=percent,
        default=Plan.resolution * 100,
        metavar="PCT",
        help="bisect until the passing and failing rates are this close (default 5%%)",
    )


def settings(args: argparse.Namespace) -> Settings:
    """The search's settings from the command line."""
    plan = Plan(start=args.start_rate, ceiling=args.max_rate, resolution=args.resolution / 100)
    return Settings(
        plan=plan,
        step_s=args.step_duration,
        warmup_s=3.0 if args.warmup is None else args.warmup,
        max_duration_s=args.max_duration,
    )


def problem(args: argparse.Namespace, slo: dict[str, float]) -> str | None:
    """Why these arguments cannot run a search, or None."""
    if args.rate is not None:
        return "--find-capacity steps the rate itself: give --start-rate, not --rate"
    if args.shape is not None:
        return "--find-capacity runs the open model: --shape does not apply"
    if args.remote_workers:
        return "--find-capacity starts a master per step: --remote-workers cannot follow it"
    if "min_rps" in slo:
        return "--find-capacity: min_rps is no SLO to search for (give p95_ms, p99_ms, error_rate)"
    return settings(args).problem()


def run(options: LoadOptions, args: argparse.Namespace) -> int:
    """Search, print the verdict and the folder last; 0 with a capacity, 1 without."""
    try:
        outcome = find(options, settings(args))
    except ServiceError as e:
        print(f"load: {e}", file=sys.stderr)
        return 1
    for line in outcome.verdict.lines:
        print(line)
    print(f"capacity: the picture: {outcome.folder / 'capacity.svg'}")
    print(outcome.folder)
    return outcome.verdict.exit_code
