"""The standard load benchmark for `./run.py bench`: each main scenario, headless, for a short fixed
time against a freshly started service; writes DIR/load.json and prints DIR last.

    python -m bench.load.standard --out DIR [--duration 10] [--scenarios crud,list]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.load.options import LoadOptions
from bench.load.runner import run_headless
from bench.load.scenarios import MAIN, SCENARIOS
from bench.load.summary import digest

USERS = 20
"""Closed-model users: enough to keep one Tornado core busy without queueing much."""
STORE = "memory://"
"""The service's code and HTTP path, not the disk: fsync times on shared machines swing widely."""
KEYS = ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "requests", "failures")


def run(out: Path, duration_s: float, scenarios: tuple[str, ...], store: str) -> dict[str, Any]:
    """Run each scenario on its own fresh service; returns (and writes) load.json's content."""
    rows: dict[str, dict[str, Any]] = {}
    for name in scenarios:
        options = LoadOptions(
            scenario=name,
            users=USERS,
            duration_s=duration_s,
            store=store,
            out_dir=out / "load" / name,
        )
        result = run_headless(options)
        row: dict[str, Any] = {
            k: v for k, v in digest(result.report.stats.total).items() if k in KEYS
        }
        cpu = result.report.cpu
        row["generator_cpu"] = round(cpu.generator_pct, 1) if cpu else None
        rows[name] = row
    data = {
        "scenarios": rows,
        "settings": {"users": USERS, "duration_s": duration_s, "store": store},
    }
    (out / "load.json").write_text(json.dumps(data, indent=1) + "\n")
    return data


def main(argv: list[str] | None = None) -> int:
    """Parse, run, print a line per scenario and the folder last."""
    p = argparse.ArgumentParser(prog="python -m bench.load.standard", description=__doc__)
    p.add_argument("--out", type=Path, required=True, help="folder to write load.json into")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per scenario (10)")
    p.add_argument("--scenarios", default=",".join(MAIN), help="comma-separated (%(default)s)")
    p.add_argument("--store", default=STORE, help="store URL (%(default)s)")
    args = p.parse_args(argv)
    names = tuple(filter(None, args.scenarios.split(",")))
    if unknown := [n for n in names if n not in SCENARIOS]:
        p.error(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    data = run(args.out, max(1.0, args.duration), names, args.store)
    for name, row in data["scenarios"].items():
        print(
            f"load {name:<12} {row['rps']:8.1f} req/s  p50 {row['p50_ms']:g}  p95 {row['p95_ms']:g}"
            f"  p99 {row['p99_ms']:g}  max {row['max_ms']:g} ms  {row['failures']} failures"
        )
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
