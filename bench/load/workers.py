"""A master's account of its workers: who joined, how many requests each sent, its CPU.

Locust merges its workers' numbers into one total and forgets where they came from, so a run
spread over machines could not show that every worker took part, nor that one was CPU-bound.
Each worker adds its process's CPU use to every report it sends the master (every 3 seconds);
the master tallies those reports per worker and writes `workers.json` when it quits.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.load.sampler import GENERATOR_BOUND_PCT

KEY = "taskservice_worker"
"""The field of a worker's report to the master that carries its CPU use."""


class CpuProbe:
    """This process's CPU seconds, and the seconds that passed, since the previous reading.

    Seconds rather than a percentage: a worker's final report follows its last regular one
    within milliseconds, and a share of so short a span is noise the master could not weigh.
    """

    def __init__(self) -> None:
        self._proc = psutil.Process()
        self._last: tuple[float, float] | None = None  # None until the test starts

    def start(self, **_: Any) -> None:
        """A `test_start` listener: measure from here, not the idle wait for the master's go."""
        self._last = self._read()

    def _read(self) -> tuple[float, float]:
        times = self._proc.cpu_times()
        return times.user + times.system, time.monotonic()

    def add_to(self, client_id: str, data: dict[str, Any]) -> None:
        """A `report_to_master` listener: put the CPU use since the last report into `data`."""
        if self._last is None:
            return
        (cpu, now), (last_cpu, last_now) = self._read(), self._last
        self._last = cpu, now
        data[KEY] = {"cpu_s": cpu - last_cpu, "wall_s": now - last_now}


@dataclass
class Worker:
    """One worker as the master saw it: requests it reported, CPU and wall seconds it covered."""

    requests: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0

    @property
    def cpu_pct(self) -> float | None:
        """Mean CPU over its reports, in percent of one core."""
        return 100 * self.cpu_s / self.wall_s if self.wall_s > 0 else None

    def as_dict(self, worker_id: str) -> dict[str, Any]:
        cpu = self.cpu_pct
        return {
            "id": worker_id,
            "requests": self.requests,
            "cpu_pct": round(cpu, 1) if cpu is not None else None,
        }


@dataclass
class Tally:
    """Every worker that reported to this master, by locust's client id."""

    workers: dict[str, Worker] = field(default_factory=dict)

    def on_report(self, client_id: str, data: dict[str, Any]) -> None:
        """A `worker_report` listener: add a worker's report (its counts since the last one)."""
        worker = self.workers.setdefault(client_id, Worker())
        worker.requests += int(data.get("stats_total", {}).get("num_requests", 0))
        if (mine := data.get(KEY)) is not None:
            worker.cpu_s += float(mine["cpu_s"])
            worker.wall_s += float(mine["wall_s"])

    def write(self, path: Path) -> None:
        rows = [w.as_dict(worker_id) for worker_id, w in sorted(self.workers.items())]
        path.write_text(json.dumps(rows, indent=1) + "\n")


@dataclass(frozen=True)
class WorkerUse:
    """A worker's line in the report: its id, requests and mean CPU."""

    id: str
    requests: int
    cpu_pct: float | None

    @property
    def generator_bound(self) -> bool:
        return self.cpu_pct is not None and self.cpu_pct > GENERATOR_BOUND_PCT


def read(path: Path) -> list[WorkerUse] | None:
    """workers.json, if the run had a master."""
    if not path.exists():
        return None
    return [
        WorkerUse(str(row["id"]), int(row["requests"]), row["cpu_pct"])
        for row in json.loads(path.read_text())
    ]
