"""`./run.py soak`: a long open-model load that fails on memory growth, leaked descriptors or 5xx.

The harness starts the service (pinned to the first core, locust to the others) on a fresh store,
counts its idle descriptors, samples its RSS, descriptors and CPU every second while locust runs
the scenario at --rate iterations/s, and counts its idle descriptors again once the load stops.
It writes profiles/<time>-<scenario>-soak/ and prints that folder last; exit 1 if a check fails.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
from pathlib import Path
from types import FrameType

from bench.argtypes import duration, positive
from bench.load import reports, runner
from bench.load.scenarios import SCENARIOS
from bench.load.seed import SeedError
from bench.load.service import ServiceError
from bench.load.summary import ms
from bench.soak import errors, history, report
from bench.soak.figures import Soak
from bench.soak.options import DEFAULT_RATE, LOAD_FOLDER, SoakOptions, default_warmup
from bench.soak.verdict import Check, judge
from bench.soak.watch import SETTLE_S, ServerWatch

MIN_JUDGED_S = 5.0
"""The least run time left after the warm-up: the memory check compares two windows of it."""
OVERHEAD_S = 30 + SETTLE_S + runner.GRACE_S + 30 + SETTLE_S + 30
"""What a soak may add to its run time: service start, idle count, locust's grace to finish and
stop, idle count, service stop. Each step has its own deadline; an alarm past their sum stops
whatever still hangs (a seeding request, say) as Ctrl-C would."""


class Overran(Exception):
    """The soak outlived its run time plus OVERHEAD_S."""


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(prog="./run.py soak", description=__doc__)
    p.add_argument(
        "--duration", type=duration, default=600.0, help="run time: 60s, 10m (default 10m)"
    )
    p.add_argument(
        "--rate",
        type=positive(float),
        default=DEFAULT_RATE,
        help=f"open model: iterations started per second (default {DEFAULT_RATE:g})",
    )
    p.add_argument(
        "--scenario", choices=SCENARIOS, default="crud", help="what each iteration does (crud)"
    )
    p.add_argument(
        "--warmup",
        type=duration,
        help="time not judged for memory growth (default: a fifth of --duration, at most 60s)",
    )
    p.add_argument("--store", help="store URL for the service (default: a fresh sqlite file)")
    p.add_argument("--out", type=Path, help="folder (default: profiles/<time>-<scenario>-soak)")
    p.add_argument("--no-pin", action="store_true", help="do not pin service and locust to cores")
    return p


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _overran(signum: int, frame: FrameType | None) -> None:
    raise Overran


def _options(argv: list[str] | None) -> SoakOptions:
    p = parser()
    args = p.parse_args(argv)
    warmup = default_warmup(args.duration) if args.warmup is None else args.warmup
    if args.duration - warmup < MIN_JUDGED_S:
        p.error(f"--warmup {warmup:g}s leaves under {MIN_JUDGED_S:g}s of the run to judge")
    return SoakOptions(
        duration_s=args.duration,
        rate=args.rate,
        scenario=args.scenario,
        warmup_s=warmup,
        store=args.store,
        pin=not args.no_pin,
        out_dir=args.out,
    )


def _soak(options: SoakOptions, folder: Path, watch: ServerWatch, result: runner.RunResult) -> Soak:
    """Read what the run left behind and judge it."""
    seen, load_dir = watch.observed, folder / LOAD_FOLDER
    assert seen is not None, "the watch is entered whenever the harness starts the service"
    soak = Soak(
        options,
        folder,
        seen,
        history.read(load_dir / history.HISTORY_CSV, seen.started_at),
        errors.server_5xx(load_dir / "server.log"),
        errors.locust_5xx(load_dir / "locust_failures.csv"),
        result.report,
    )
    total = result.report.stats.total
    soak.checks = judge(
        seen.samples,
        options.warmup,
        seen.fds_idle_before,
        seen.fds_idle_after,
        soak.server_errors,
        total.failures,
    )
    if total.requests == 0:
        soak.checks.append(
            Check("load", False, f"no requests made (locust exit {result.locust_exit})")
        )
    return soak


def main(argv: list[str] | None = None) -> int:
    """Run the soak, write its folder, print each check and then the folder."""
    options = _options(argv)
    bound = math.ceil(options.duration_s + OVERHEAD_S)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGALRM, _overran)
    folder = reports.new_folder(options.folder_options())
    print(
        f"soak: {options.scenario} at {options.rate:g} iterations/s for {options.duration_s:g} s, "
        f"warm-up {options.warmup:g} s; ends by itself within {bound} s",
        flush=True,
    )
    watch = ServerWatch(options.interval_s)
    signal.alarm(bound)
    try:
        result = runner.run_headless(options.load_options(folder), watch=watch)
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
        return 130
    except Overran:
        print(f"soak: overran its bound of {bound} s; stopped", file=sys.stderr)
        print(folder)
        return 1
    except (ServiceError, SeedError) as e:
        print(f"soak: {e}", file=sys.stderr)
        print(folder)
        return 1
    finally:
        signal.alarm(0)
    soak = _soak(options, folder, watch, result)
    report.write(soak)
    total = result.report.stats.total
    print(
        f"soak: {total.requests} requests, {total.failures} failures, {total.rps:.1f} req/s, "
        f"p50 {ms(total.pct(0.5))} p99 {ms(total.pct(0.99))} ms"
    )
    for check in soak.checks:
        print(check.line())
    print(folder)
    return 0 if soak.passed else 1
