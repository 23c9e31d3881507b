"""The capacity benchmark for `./run.py bench capacity`: a capacity search per main scenario, each
on a fresh in-memory service with the default SLO; writes DIR/capacity.json and prints DIR last.

    python -m bench.capacity.standard --out DIR [--quick] [--scenarios crud,list]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.capacity.cli import DEFAULT_SLO
from bench.capacity.driver import Settings, find
from bench.capacity.search import Plan
from bench.load.options import LoadOptions
from bench.load.scenarios import MAIN, SCENARIOS

STORE = "memory://"
"""As the standard load benchmark: the service's code and HTTP path, not the disk's fsync."""
FULL = Settings(step_s=10.0, warmup_s=3.0, max_duration_s=150.0)
QUICK = Settings(Plan(resolution=0.1), step_s=4.0, warmup_s=1.0, max_duration_s=45.0)


def run(out: Path, settings: Settings, scenarios: tuple[str, ...]) -> dict[str, Any]:
    """Search each scenario's capacity; returns (and writes) capacity.json's content."""
    rows: dict[str, dict[str, Any]] = {}
    for name in scenarios:
        options = LoadOptions(
            scenario=name, store=STORE, slo=dict(DEFAULT_SLO), out_dir=out / "capacity" / name
        )
        outcome = find(options, settings)
        found = json.loads((outcome.folder / "capacity.json").read_text())
        keep = ("capacity_rate", "capacity_rps", "p99_ms_at_capacity", "knee_rate")
        rows[name] = {key: found[key] for key in (*keep, "generator_bound_rate", "verdict")}
        rows[name]["folder"] = f"capacity/{name}"
    data = {
        "scenarios": rows,
        "settings": {
            "slo": DEFAULT_SLO,
            "store": STORE,
            "step_s": settings.step_s,
            "warmup_s": settings.warmup_s,
            "max_duration_s": settings.max_duration_s,
            "resolution": settings.plan.resolution,
        },
    }
    (out / "capacity.json").write_text(json.dumps(data, indent=1) + "\n")
    return data


def main(argv: list[str] | None = None) -> int:
    """Parse, search, print a line per scenario and the folder last; 1 when one found none."""
    p = argparse.ArgumentParser(prog="python -m bench.capacity.standard", description=__doc__)
    p.add_argument("--out", type=Path, required=True, help="folder to write capacity.json into")
    p.add_argument("--quick", action="store_true", help="short steps, 10%% resolution")
    p.add_argument("--scenarios", default=",".join(MAIN), help="comma-separated (%(default)s)")
    args = p.parse_args(argv)
    names = tuple(filter(None, args.scenarios.split(",")))
    if unknown := [n for n in names if n not in SCENARIOS]:
        p.error(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    data = run(args.out, QUICK if args.quick else FULL, names)
    for name, row in data["scenarios"].items():
        rate, rps = row["capacity_rate"], row["capacity_rps"]
        found = f"{rate:g}/s ({rps:.0f} req/s)" if rate is not None else "none"
        print(f"capacity {name:<12} {found}: {row['verdict'][0]}")
    print(args.out)
    return 0 if all(r["capacity_rps"] is not None for r in data["scenarios"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
