"""A master's account of its workers: who joined, how many requests each sent, its CPU.

Locust merges its workers' numbers into one total and forgets where they came from, so a run
spread over machines could not show that every worker took part, nor that one was CPU-bound.
Each worker adds its process's CPU use to every report it sends the master (every 3 seconds);
the master tallies those reports per worker and writes `workers.json` when it quits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.load.sampler import GENERATOR_BOUND_PCT

KEY = "taskservice_worker"
"""The field of a worker's report to the master that carries its CPU use."""


class CpuProbe:
    """This process's CPU use, in percent of one core, since the previous reading."""

    def __init__(self) -> None:
        self._proc = psutil.Process()
        self._proc.cpu_percent()  # the first reading only sets the baseline

    def add_to(self, client_id: str, data: dict[str, Any]) -> None:
        """A `report_to_master` listener: put the CPU use since the last report into `data`."""
        data[KEY] = {"cpu_pct": self._proc.cpu_percent()}


@dataclass
class Worker:
    """One worker as the master saw it: requests it reported, and its CPU in each report."""

    requests: int = 0
    cpu: list[float] = field(default_factory=list)

    @property
    def cpu_pct(self) -> float | None:
        """Mean CPU over its reports, in percent of one core."""
        return sum(self.cpu) / len(self.cpu) if self.cpu else None

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
            worker.cpu.append(float(mine["cpu_pct"]))

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
