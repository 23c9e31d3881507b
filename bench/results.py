"""A saved bench run, read back as named metrics (medians, rates, percentiles) and where it ran."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.profile import fields

MICRO_JSON = "micro.json"  # pytest-benchmark's own JSON, as it wrote it
LOAD_JSON = "load.json"  # the standard load benchmark's totals per scenario
META_JSON = "meta.json"  # where and from what commit the run was taken
RATIOS_JSON = "ratios.json"  # the service against bare Tornado, measured with wrk
CAPACITY_JSON = "capacity.json"  # the highest rate per scenario that met the SLO (bench capacity)
RESULT_FILES = (MICRO_JSON, LOAD_JSON, RATIOS_JSON, CAPACITY_JSON)


@dataclass(frozen=True)
class Metric:
    """One number of a run; `seconds` for timings, else the unit its name ends with."""

    name: str
    group: str
    value: float
    unit: str = "seconds"
    higher_is_better: bool = False
    baseline: bool = False
    rounds: int | None = None


@dataclass(frozen=True)
class Run:
    """A run folder's metrics by name, its meta.json, and its ratios.json when it has one."""

    folder: Path
    meta: dict[str, Any]
    metrics: dict[str, Metric]
    ratios: dict[str, Any] | None = None


def read_run(folder: Path) -> Run:
    """Read every result file a run folder holds; ValueError when it holds none."""
    metrics: list[Metric] = []
    ratios = None
    parsers = (
        (MICRO_JSON, micro_metrics),
        (LOAD_JSON, load_metrics),
        (RATIOS_JSON, ratio_metrics),
        (CAPACITY_JSON, capacity_metrics),
    )
    for name, parse in parsers:
        path = folder / name
        if path.is_file():
            try:
                data = json.loads(path.read_text())
                metrics += parse(data)
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                raise ValueError(f"{path}: not a bench result ({e!r})") from None
            if name == RATIOS_JSON:
                ratios = data
    if not metrics:
        raise ValueError(
            f"{folder}: no {MICRO_JSON}, {LOAD_JSON} or {RATIOS_JSON} in it, "
            f"nor a capacity in {CAPACITY_JSON}"
        )
    meta_file = folder / META_JSON
    meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    return Run(folder, meta, {m.name: m for m in metrics}, ratios)


def micro_metrics(data: dict[str, Any]) -> list[Metric]:
    """The median of each benchmark in a pytest-benchmark JSON document."""
    return [
        Metric(
            name=b["name"],
            group=b.get("group") or "ungrouped",
            value=b["stats"]["median"],
            baseline=bool(b.get("extra_info", {}).get("baseline")),
            rounds=b["stats"]["rounds"],
        )
        for b in data["benchmarks"]
    ]


# Which totals of a load scenario are compared, and which way is better.
_LOAD_FIELDS = {"rps": True, "p50_ms": False, "p95_ms": False, "p99_ms": False}


def load_metrics(data: dict[str, Any]) -> list[Metric]:
    """Throughput and latency percentiles of each scenario of the standard load benchmark."""
    return [
        Metric(
            name=f"load {scenario} {field}",
            group="load",
            value=float(totals[field]),
            unit=field.rpartition("_")[2],
            higher_is_better=higher,
        )
        for scenario, totals in data["scenarios"].items()
        for field, higher in _LOAD_FIELDS.items()
        if totals.get(field) is not None
    ]


def ratio_metrics(data: dict[str, Any]) -> list[Metric]:
    """Each service scenario's median ratio to bare Tornado, and every scenario's rate and p99."""
    rounds = int(data["rounds"])
    metrics = [
        Metric(f"ratio {name}", "ratios", float(r["median"]), "x", True, rounds=rounds)
        for name, r in data["ratios"].items()
    ]
    for name, row in data["scenarios"].items():
        metrics += [
            Metric(f"ratios {name} rps", "ratios", float(row["rps"]), "rps", True, rounds=rounds),
            Metric(f"ratios {name} p99_ms", "ratios", float(row["p99_ms"]), "ms", rounds=rounds),
        ]
    return metrics


def capacity_metrics(data: dict[str, Any]) -> list[Metric]:
    """Each scenario's capacity in capacity.json; a scenario without one gives none.

    `{"scenarios": {"<scenario>": {"capacity_rps": <number or null>, ...}, ...}}`: null, or no
    `capacity_rps`, means no capacity was found (the SLO missed at the lowest step, or the load
    generator was the limit).
    """
    found = []
    for name, row in data["scenarios"].items():
        value = fields.number(row.get("capacity_rps")) if isinstance(row, dict) else None
        if value is not None:
            found.append(Metric(f"capacity {name}", "capacity", value, "rps", True))
    return found


def describe_environment(root: Path) -> dict[str, Any]:
    """Machine, Python and git commit, for meta.json: runs compare fairly only on equal ground."""
    return {
        "machine": {
            "node": platform.node(),
            "cpu": _cpu_model(),
            "cpus": os.cpu_count(),
            "arch": platform.machine(),
            "system": platform.platform(),
        },
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "commit": _git(root, "rev-parse", "HEAD"),
        "dirty": bool(_git(root, "status", "--porcelain", "--untracked-files=no")),
    }


def same_machine(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two meta.json machine entries describe one machine."""
    keys = ("node", "cpu", "cpus", "arch")
    return all(a.get(k) == b.get(k) for k in keys)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()
