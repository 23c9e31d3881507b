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
from bench.results import META_JSON, MICRO_JSON, describe_environment, read_run
from bench.runs import PROFILES, ROOT, find_run, new_run_folder, previous_run

# pytest-benchmark's knobs for a full pass and for a quick one that still measures every row.
_FULL = ["--benchmark-max-time=1.0", "--benchmark-min-rounds=5", "--pedantic-rounds=200"]
_QUICK = ["--benchmark-max-time=0.02", "--benchmark-min-rounds=3", "--pedantic-rounds=5"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="run.py bench", description=__doc__)
    p.add_argument(
        "what",
        nargs="?",
        choices=("micro", "all"),
        default="all",
        help="which benchmarks (default: all that exist under bench/)",
    )
    p.add_argument("--quick", action="store_true", help="few rounds: real numbers, in seconds")
    p.add_argument(
        "--compare",
        nargs="?",
        const="",
        metavar="RUN",
        help="compare with a saved run (folder or name; default: the previous run)",
    )
    p.add_argument(
        "--threshold",
        type=_percent,
        default=10.0,
        metavar="PCT",
        help="with --compare, exit 1 when a median is this much worse (default 10%%)",
    )
    p.add_argument(
        "-k",
        metavar="EXPR",
        dest="select",
        help="only the microbenchmarks whose names match, as pytest -k",
    )
    p.add_argument("--profiles", type=Path, default=PROFILES, help="where runs are saved")
    return p.parse_args(argv)  # fmt: skip


def _percent(text: str) -> float:
    try:
        value = float(text.removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the threshold cannot be negative")
    return value


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


def main(argv: list[str]) -> int:
    """Run the chosen benchmarks, print and save the summary, compare if asked; print the folder."""
    args = parse_args(argv)
    baseline = find_run(args.profiles, args.compare) if args.compare else None
    folder = new_run_folder(args.profiles, args.what)
    (folder / META_JSON).write_text(json.dumps(describe_environment(ROOT), indent=2) + "\n")
    code = run_micro(folder, args.quick, args.select)
    if code == 0:
        code = report(folder, args, baseline)
    print(folder)
    return code


def report(folder: Path, args: argparse.Namespace, baseline: Path | None) -> int:
    """Write and print the summary, then the comparison when asked; 1 on a regression."""
    run = read_run(folder)
    table = summary.render(run)
    (folder / "summary.md").write_text(table + "\n")
    print(table)
    if args.compare is None:
        return 0
    baseline = baseline or previous_run(args.profiles, folder)
    if baseline is None:
        print(
            f"\nNo earlier run under {args.profiles} to compare with;"
            " this one is saved for next time."
        )
        return 0
    old = read_run(baseline)
    changes = compare.compare(old, run)
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


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (FileNotFoundError, ValueError) as e:
        print(f"run.py bench: {e}", file=sys.stderr)
        sys.exit(2)
