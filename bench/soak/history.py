"""Latency and failures over time, from locust's stats history CSV (`--csv-full-history`)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

HISTORY_CSV = "locust_stats_history.csv"
# With --csv-full-history locust writes, every second, the percentiles of (about) the last ten
# seconds; without it, those of the whole run so far, which would hide a slow drift.
LOCUST_ARGS = ("--csv-full-history",)


@dataclass(frozen=True)
class Point:
    """One second of the run, `t` seconds after sampling began."""

    t: float
    p50_ms: float
    p99_ms: float
    requests: int  # so far
    failures: int  # so far


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None  # locust writes N/A before the first request


def read(path: Path, started_at: float) -> list[Point]:
    """The aggregated rows, timed from `started_at` (wall clock); seconds without requests left
    out, as are the first seconds, before locust's ten-second window holds anything."""
    if not path.exists():
        return []
    points = []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] != "Aggregated":
                continue
            p50, p99 = _number(row["50%"]), _number(row["99%"])
            if p50 is None or p99 is None or p99 == 0:
                continue
            t = float(row["Timestamp"]) - started_at
            requests, failures = int(row["Total Request Count"]), int(row["Total Failure Count"])
            points.append(Point(t, p50, p99, requests, failures))
    return points


def failures_by(points: list[Point], t: float) -> int:
    """Failures locust had counted by `t` (the last row at or before it)."""
    return max((p.failures for p in points if p.t <= t), default=0)
