"""`python -m bench.ratios --out DIR`: measure the ratios into DIR/ratios.json.

`./run.py bench ratios` runs this and prints the table; run alone it prints progress only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from bench.argtypes import positive
from bench.load import cpus
from bench.ratios import runner, servers, wrk
from bench.ratios.configs import production_config
from bench.ratios.report import RATIOS_JSON, document
from bench.ratios.scenarios import select
from bench.ratios.settings import Settings
from bench.ratios.tools import ensure_wrk
from bench.results import describe_environment
from bench.runs import ROOT

# Issue 17 measures in 7 interleaved rounds. 7 rounds of the 14 scenarios at 5 s each would take
# about 12 minutes; at 1 s after a 1 s warm-up they took 4 to 5 (server starts included), which
# keeps the default `./run.py bench` (micro ~0.5, load ~1, then these) near 6 minutes.
FULL = {"rounds": 7, "duration": 1, "warmup": 1}
QUICK = {"rounds": 3, "duration": 1, "warmup": 1}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The knobs of a ratios run, shared with `./run.py bench`."""
    p.add_argument(
        "--rounds", type=positive(int, 1), help="ratios: interleaved rounds (7; --quick: 3)"
    )
    p.add_argument("--duration", type=positive(int), help="ratios: seconds per measurement (1)")
    p.add_argument(
        "--warmup", type=positive(int, 0), help="ratios: seconds of warm-up before each (1)"
    )
    p.add_argument(
        "--seed-tasks",
        type=positive(int),
        default=20_000,
        metavar="N",
        help="ratios: tasks stored for the read scenarios (20,000)",
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m bench.ratios", description=__doc__)
    p.add_argument("--out", type=Path, required=True, help="the run folder to write into")
    p.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    p.add_argument("-k", dest="select", metavar="EXPR", help="scenarios whose names contain EXPR")
    p.add_argument("--connections", type=positive(int), default=20, help="wrk -c (20)")
    p.add_argument("--config", type=Path, default=None, help="the production config to measure")
    p.add_argument("--no-pin", action="store_true", help="do not pin server and wrk to cores")
    add_arguments(p)
    return p.parse_args(argv)


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the parsed command line, --quick filling what was not given."""
    defaults = QUICK if args.quick else FULL
    duration = args.duration or defaults["duration"]
    warmup = args.warmup if args.warmup is not None else defaults["warmup"]
    return Settings(
        rounds=args.rounds or defaults["rounds"],
        duration_s=duration,
        warmup_s=warmup,
        connections=args.connections,
        seed_tasks=args.seed_tasks,
        prod_config=args.config or production_config(),
        pinning=cpus.plan(not args.no_pin),
    )


def main(argv: list[str] | None = None) -> int:
    """Run, write ratios.json; 1 when any measurement had errors, 2 when it could not start."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    scenarios = select(args.select)
    if not scenarios:
        return 0  # `-k` chose rows of the other benchmarks only
    settings = settings_from(args)
    if not settings.prod_config.is_file():
        print(f"run.py bench: no such config {settings.prod_config}", file=sys.stderr)
        return 2
    if missing := ensure_wrk():
        print(f"run.py bench: {missing}", file=sys.stderr)
        return 2
    scratch = args.out / "ratios-scratch"
    try:
        raw = runner.run(scenarios, settings, scratch)
    except (servers.ServerError, wrk.WrkError, OSError) as e:
        print(
            f"run.py bench: ratios stopped: {e} (server logs: {scratch / 'logs'})", file=sys.stderr
        )
        return 1
    doc = document(scenarios, settings, raw, wrk.version(), describe_environment(ROOT))
    if doc["problems"]:
        doc["logs"] = str(scratch / "logs")  # kept: they may say what went wrong
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    (args.out / RATIOS_JSON).write_text(json.dumps(doc, indent=1) + "\n")
    return 1 if doc["problems"] else 0
