"""Run the benchmarks, save the run under profiles/, print a table of medians, compare runs."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench import compare, summary
from bench.argtypes import percent
from bench.load.scenarios import MAIN
from bench.ratios import cli as ratios_cli
from bench.ratios.report import warnings as ratio_warnings
from bench.ratios.tools import ensure_wrk
from bench.results import (
    CAPACITY_JSON,
    LOAD_JSON,
    META_JSON,
    MICRO_JSON,
    RATIOS_JSON,
    Run,
    capacity_metrics,
    describe_environment,
    read_run,
)
from bench.runs import PROFILES, ROOT, earlier_runs, find_run, new_run_folder

# pytest-benchmark's knobs for a full pass and for a quick one that still measures every row.
_FULL = ["--benchmark-max-time=1.0", "--benchmark-min-rounds=5", "--pedantic-rounds=200"]
_QUICK = ["--benchmark-max-time=0.02", "--benchmark-min-rounds=3", "--pedantic-rounds=5"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="run.py bench", description=__doc__)
    p.add_argument(
        "what",
        nargs="?",
        choices=("micro", "load", "ratios", "capacity", "all"),
        default="all",
        help="the microbenchmarks, the standard load benchmark, the ratios to bare Tornado,"
        " or all three (the default); capacity (the highest rate per scenario that meets the"
        " default SLO, up to 10 minutes) only when named",
    )
    p.add_argument("--quick", action="store_true", help="short: real numbers, in seconds")
    p.add_argument(
        "--compare",
        nargs="?",
        const="",
        metavar="RUN",
        help="compare with a saved run (folder or name; default: the previous run)",
    )
    p.add_argument(
        "--threshold",
        type=percent,
        default=10.0,
        metavar="PCT",
        help="with --compare, exit 1 when a median is this much worse (default 10%%)",
    )
    p.add_argument(
        "-k",
        metavar="EXPR",
        dest="select",
        help="only the microbenchmarks (as pytest -k) and load and ratio scenarios (by name)"
        " that match",
    )
    p.add_argument("--profiles", type=Path, default=PROFILES, help="where runs are saved")
    ratios_cli.add_arguments(p)
    return p.parse_args(argv)


def run_micro(folder: Path, quick: bool, select: str | None) -> int:
    """Run the pytest-benchmark suite into `folder`: JSON, histograms, and nothing else."""
    scratch = folder / "scratch"  # sqlite files on the project's disk, where fsync is real
    cmd = [
        sys.executable, "-m", "pytest", "bench/micro", "-q", "-p", "no:cacheprovider",
        f"--benchmark-json={folder / MICRO_JSON}",
        f"--benchmark-histogram={folder / 'histogram'}",
        "--benchmark-columns=min,median,iqr,rounds", "--benchmark-sort=name",
        *(_QUICK if quick else _FULL), *(["-k", select] if select else []),
    ]  # fmt: skip
    try:
        return subprocess.call(cmd, cwd=ROOT, env={**os.environ, "BENCH_SCRATCH": str(scratch)})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_load(folder: Path, quick: bool, select: str | None) -> int:
    """Run the standard load benchmark (the main locust scenarios, pinned) into `folder`."""
    scenarios = [name for name in MAIN if select is None or select in name]
    if not scenarios:
        return 0
    cmd = [
        sys.executable, "-m", "bench.load.standard", "--out", str(folder),
        "--duration", "3" if quick else "10", "--scenarios", ",".join(scenarios),
    ]  # fmt: skip
    return subprocess.call(cmd, cwd=ROOT)


def run_ratios(folder: Path, args: argparse.Namespace) -> int:
    """Run the ratios to bare Tornado (wrk, pinned, interleaved rounds) into `folder`."""
    cmd = [
        sys.executable, "-m", "bench.ratios", "--out", str(folder),
        "--seed-tasks", str(args.seed_tasks),
        *(["--rounds", str(args.rounds)] if args.rounds else []),
        *(["--quick"] if args.quick else []), *(["-k", args.select] if args.select else []),
        *(["--duration", str(args.duration)] if args.duration else []),
        *(["--warmup", str(args.warmup)] if args.warmup is not None else []),
    ]  # fmt: skip
    return subprocess.call(cmd, cwd=ROOT)


def run_capacity(folder: Path, quick: bool, select: str | None) -> int:
    """Search each main scenario's capacity (bench.capacity.standard) into `folder`."""
    scenarios = [name for name in MAIN if select is None or select in name]
    if not scenarios:
        return 0
    cmd = [
        sys.executable, "-m", "bench.capacity.standard", "--out", str(folder),
        "--scenarios", ",".join(scenarios), *(["--quick"] if quick else []),
    ]  # fmt: skip
    return subprocess.call(cmd, cwd=ROOT)


def ratios_failures(folder: Path) -> list[str]:
    """The ratios' WARNING lines: requests that failed under load, a store that lost tasks."""
    if not (folder / RATIOS_JSON).is_file():
        return []
    return ratio_warnings(json.loads((folder / RATIOS_JSON).read_text()))


def load_failures(folder: Path) -> list[str]:
    """A line per load scenario that had failed requests: its numbers measured a broken run."""
    if not (folder / LOAD_JSON).is_file():
        return []
    rows = json.loads((folder / LOAD_JSON).read_text())["scenarios"]
    return [
        f"WARNING: load {name} had {row['failures']} failed requests; see {folder / 'load' / name}"
        for name, row in rows.items()
        if row.get("failures")
    ]


def main(argv: list[str]) -> int:
    """Run the chosen benchmarks, print and save the summary, compare if asked; print the folder."""
    args = parse_args(argv)
    # A named baseline is read first: a bad one fails before minutes of benchmarks, not after.
    named = read_run(find_run(args.profiles, args.compare)) if args.compare else None
    if args.what in ("ratios", "all") and (missing := ensure_wrk()):
        print(f"run.py bench: {missing}", file=sys.stderr)
        return 2
    folder = new_run_folder(args.profiles, args.what)
    try:
        (folder / META_JSON).write_text(json.dumps(describe_environment(ROOT), indent=2) + "\n")
        code = 0
        if args.what in ("micro", "all"):
            code = run_micro(folder, args.quick, args.select)
        if code == 0 and args.what in ("load", "all"):
            code = run_load(folder, args.quick, args.select)
        if code == 0 and args.what in ("ratios", "all"):
            code = run_ratios(folder, args)
        if code == 0 and args.what == "capacity":
            code = run_capacity(folder, args.quick, args.select)
        # Ratios with failed requests still have a table worth seeing, under their WARNING lines;
        # so has a capacity run where some scenario found none, when another found one.
        if code == 0 or (folder / RATIOS_JSON).is_file() or _has_capacity(folder):
            code = report(folder, args, named) or code
    finally:
        print(folder)
    return code


def _has_capacity(folder: Path) -> bool:
    """Whether the run's capacity.json holds a capacity for some scenario."""
    try:
        return bool(capacity_metrics(json.loads((folder / CAPACITY_JSON).read_text())))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def report(folder: Path, args: argparse.Namespace, named: Run | None) -> int:
    """Write and print the summary, then the comparison when asked; 1 on a regression."""
    run = read_run(folder)
    table = summary.render(run)
    (folder / "summary.md").write_text(table + "\n")
    print(table, *load_failures(folder), *ratios_failures(folder), sep="\n")
    if args.compare is None:
        return 0
    old = named or comparable_run(args.profiles, run)
    if old is None:
        print(f"\nNo earlier run under {args.profiles} shares a benchmark with this one;"
              " it is saved for next time.")  # fmt: skip
        return 0
    changes = compare.compare(old, run)
    if not changes:
        print(f"\n{old.folder.name} shares no benchmark with this run: nothing to compare.")
        return 2
    text = compare.render(old, run, changes, args.threshold / 100)
    notes = compare.environment_notes(old, run)
    (folder / "compare.md").write_text("\n".join([*notes, "", text]) + "\n")
    print("", *(f"NOTE: {n}" for n in notes), text, sep="\n")
    slower = compare.regressions(changes, args.threshold / 100)
    if slower:
        print(
            f"\n{len(slower)} benchmark(s) more than {args.threshold:g}% worse"
            f" than {old.folder.name}"
        )
        return 1
    return 0


def comparable_run(profiles: Path, run: Run) -> Run | None:
    """The newest earlier saved run that shares at least one metric with `run`."""
    for folder in reversed(earlier_runs(profiles, run.folder)):
        try:
            old = read_run(folder)
        except ValueError:
            continue  # unreadable or empty: not a baseline
        if old.metrics.keys() & run.metrics.keys():
            return old
    return None


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (FileNotFoundError, ValueError) as e:
        print(f"run.py bench: {e}", file=sys.stderr)
        sys.exit(2)
