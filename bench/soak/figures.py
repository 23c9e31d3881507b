"""A finished soak's numbers: the figures of soak.json and the rows of samples.csv."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load.summary import Report
from bench.soak.history import Point, failures_by
from bench.soak.options import SoakOptions
from bench.soak.verdict import Check, rss_growth
from bench.soak.watch import Observed

MIB = 2**20
SAMPLE_COLUMNS = ("t_s", "rss_bytes", "fds", "cpu_percent", "server_5xx", "failures")


@dataclass
class Soak:
    """Everything a soak saw: the server's samples, locust's history and report, the errors."""

    options: SoakOptions
    folder: Path
    observed: Observed
    points: list[Point]  # latency and failures over time, from locust's history
    server_5xx: list[float]  # wall-clock times of the 5xx lines in the server's log
    locust_5xx: int  # failures locust saw as a 5xx
    load: Report
    checks: list[Check] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        """5xx answers: both sides see the same ones, so the larger count, not the sum."""
        return max(len(self.server_5xx), self.locust_5xx)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


def sample_rows(soak: Soak) -> list[tuple[float, int, int, float, int, int]]:
    """samples.csv: each server sample with the 5xx logged and the failures counted by then."""
    started = soak.observed.started_at
    errors = sorted(t - started for t in soak.server_5xx)
    return [
        (
            round(s.t, 3),
            s.rss_bytes,
            s.fds,
            s.cpu_percent,
            bisect.bisect_right(errors, s.t),
            failures_by(soak.points, s.t),
        )
        for s in soak.observed.samples
    ]


def _rss(soak: Soak) -> dict[str, float | None]:
    samples = soak.observed.samples
    peak = max((s.rss_bytes for s in samples), default=0) / MIB
    try:
        base, late, growth = rss_growth(samples, soak.options.warmup)
    except ValueError:
        return {"after_warmup_mib": None, "end_mib": None, "growth": None, "peak_mib": peak}
    return {
        "after_warmup_mib": round(base / MIB, 2),
        "end_mib": round(late / MIB, 2),
        "growth": round(growth, 4),
        "peak_mib": round(peak, 2),
    }


def figures(soak: Soak) -> dict[str, Any]:
    """soak.json: what ran, each check, and the numbers behind them."""
    o, seen, total = soak.options, soak.observed, soak.load.stats.total
    load = soak.load.as_dict()
    open_model = load["open_model"] or {}
    return {
        "passed": soak.passed,
        "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in soak.checks],
        "scenario": o.scenario,
        "rate": o.rate,
        "duration_s": o.duration_s,
        "warmup_s": o.warmup,
        "samples": len(seen.samples),
        "rss": _rss(soak),
        "fds": {
            "idle_before": seen.fds_idle_before,
            "idle_after": seen.fds_idle_after,
            "peak": max((s.fds for s in seen.samples), default=None),
        },
        "server_5xx": {"server_log": len(soak.server_5xx), "locust": soak.locust_5xx},
        "requests": total.requests,
        "failures": total.failures,
        "rps": load["totals"]["rps"],
        "latency_ms": {k: load["totals"][k] for k in ("p50_ms", "p99_ms", "max_ms")},
        "from_intended_start_ms": {
            k: open_model["from_intended_start"][k] for k in ("p50_ms", "p99_ms", "max_ms")
        }
        if open_model
        else None,
        "achieved_rate": open_model.get("achieved_rate"),
        "dropped": open_model.get("dropped"),
        "server_cpu_percent": load["server_cpu"],
        "generator_cpu_percent": load["generator_cpu"],
        "generator_bound": load["generator_bound"],
    }
