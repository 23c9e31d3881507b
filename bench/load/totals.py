"""Locust's JSON stats (`--json-file`) read back: per-endpoint and aggregated totals."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def percentile(response_times: Mapping[float, int], count: int, q: float) -> float:
    """The latency that `q` of the requests finished within, as locust's report computes it."""
    if count <= 0:
        return 0.0
    below = int(count * q)
    seen = 0
    for value in sorted(response_times, reverse=True):
        seen += response_times[value]
        if count - seen <= below:
            return value
    return 0.0


@dataclass
class Totals:
    """Requests, failures and the latency histogram (ms -> count) of one endpoint, or of all."""

    method: str
    name: str
    requests: int = 0
    failures: int = 0
    max_ms: float = 0.0
    start: float = 0.0
    end: float = 0.0
    response_times: Counter[float] = field(default_factory=Counter)

    @property
    def rps(self) -> float:
        """Requests per second between the first request and the last."""
        span = self.end - self.start
        return self.requests / span if span > 0 else 0.0

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    def pct(self, q: float) -> float:
        """Latency percentile in ms, `q` from 0 to 1."""
        return percentile(self.response_times, sum(self.response_times.values()), q)

    def add(self, other: Totals) -> None:
        """Fold another endpoint's numbers into this one."""
        self.start = min(self.start, other.start) if self.requests else other.start
        self.end = max(self.end, other.end)
        self.requests += other.requests
        self.failures += other.failures
        self.max_ms = max(self.max_ms, other.max_ms)
        self.response_times.update(other.response_times)


@dataclass
class Stats:
    """Every endpoint, sorted by name then method, and their aggregate."""

    endpoints: list[Totals]
    total: Totals


def _entry(raw: Mapping[str, Any]) -> Totals:
    start = float(raw.get("start_time") or 0.0)
    return Totals(
        method=str(raw.get("method") or ""),
        name=str(raw["name"]),
        requests=int(raw["num_requests"]),
        failures=int(raw["num_failures"]),
        max_ms=float(raw.get("max_response_time") or 0.0),
        start=start,
        end=float(raw.get("last_request_timestamp") or start),
        response_times=Counter(
            {float(k): int(v) for k, v in (raw.get("response_times") or {}).items()}
        ),
    )


def from_entries(entries: Iterable[Mapping[str, Any]]) -> Stats:
    """Totals from locust's serialized stats entries (its --json-file holds a list of them)."""
    endpoints = sorted((_entry(e) for e in entries), key=lambda t: (t.name, t.method))
    total = Totals("", "Aggregated")
    for endpoint in endpoints:
        total.add(endpoint)
    return Stats(endpoints, total)


def load(path: Path) -> Stats:
    """Read locust's --json-file output."""
    return from_entries(json.loads(path.read_text()))
