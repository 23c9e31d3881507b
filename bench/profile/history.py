"""The key figures of every saved bench run, oldest first, each run checked against the one before.

A figure is one metric across runs: a ratio to bare Tornado (ratios.json), a load scenario's
req/s or p99 (load.json), or a scenario's capacity (capacity.json). A run missing a figure is
no point of it; an unreadable file is a problem of the history, never an error.

capacity.json, written by `./run.py bench capacity` into its bench run folder, is read as
`{"scenarios": {"<scenario>": {"capacity_rps": <number or null>, ...}, ...}}`: null, or no
`capacity_rps`, means no capacity was found (the SLO missed at the lowest step, or the load
generator was the limit) and draws no point.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from bench.compare import Change, regressions
from bench.profile import fields
from bench.profile.catalog import run_time
from bench.ratios.scenarios import SCENARIOS
from bench.results import CAPACITY_JSON as CAPACITY_JSON
from bench.results import (
    LOAD_JSON,
    META_JSON,
    RATIOS_JSON,
    Metric,
    capacity_metrics,
    load_metrics,
    ratio_metrics,
)

DEFAULT_THRESHOLD = 10.0  # percent: `./run.py bench --compare --threshold`'s default
# (group, heading) in page order; a metric's group is found by `_group` below.
GROUPS = (
    ("ratio", "Ratios to bare Tornado (higher is better)"),
    ("load rps", "Load benchmark: req/s (higher is better)"),
    ("load p99", "Load benchmark: p99 latency (lower is better)"),
    ("capacity", "Capacity: the highest rate that meets the SLO (higher is better)"),
)


@dataclass(frozen=True)
class Point:
    """One run's value of a figure; `worse` is the fraction it is worse than the point before."""

    folder: str
    when: datetime
    commit: str | None
    metric: Metric
    worse: float | None = None
    regression: bool = False


@dataclass
class Series:
    """One figure across runs, oldest point first."""

    name: str  # the metric's name, as `./run.py bench --compare` shows it
    group: str
    label: str
    points: list[Point] = field(default_factory=list)


@dataclass
class History:
    """Every figure, in page order, and the files that could not be read."""

    series: list[Series]
    threshold: float  # percent
    problems: list[str] = field(default_factory=list)

    def regressions(self) -> list[tuple[Series, Point]]:
        """Each point marked worse than the one before it, newest first."""
        marked = [(s, p) for s in self.series for p in s.points if p.regression]
        return sorted(marked, key=lambda sp: (sp[1].when, sp[1].folder), reverse=True)


_PARSERS: tuple[tuple[str, Callable[[dict[str, Any]], list[Metric]]], ...] = (
    (RATIOS_JSON, ratio_metrics),
    (LOAD_JSON, load_metrics),
    (CAPACITY_JSON, capacity_metrics),
)


def _group(metric: Metric) -> tuple[str, str] | None:
    """(group, label) of a metric the history plots; None for the others (p50, wrk's rates)."""
    kind, _, rest = metric.name.partition(" ")
    if kind in ("ratio", "capacity"):
        return kind, rest
    scenario, _, what = rest.rpartition(" ")
    if kind == "load" and what in ("rps", "p99_ms"):
        return f"load {what.removesuffix('_ms')}", scenario
    return None


def read_history(root: Path, threshold: float = DEFAULT_THRESHOLD) -> History:
    """The history of the bench runs under `root`, points past `threshold` percent marked."""
    history = History([], threshold)
    folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    runs = sorted(((run_time(p), p) for p in folders), key=lambda tp: (tp[0], tp[1].name))
    read = [(when, folder, _read_metrics(folder, history.problems)) for when, folder in runs]
    by_name: dict[str, Series] = {}
    # Ratios in a fixed order, the service's first (a run with -k holds only some); the other
    # figures in the newest run's order, then the names only older runs had.
    servers = ("prod", "local", "minimal", "baseline")
    known = [f"ratio {s.name}" for srv in servers for s in SCENARIOS if s.server == srv]
    rank: dict[str, int] = {}
    for name in known + [m.name for _, _, metrics in reversed(read) for m in metrics]:
        rank.setdefault(name, len(rank))
    for when, folder, metrics in read:
        commit = _commit(folder) if metrics else None
        for metric in metrics:
            where = _group(metric)
            if where is not None and math.isfinite(metric.value):
                series = by_name.setdefault(metric.name, Series(metric.name, *where))
                series.points.append(Point(folder.name, when, commit, metric))
    for series in by_name.values():
        series.points = _marked(series.points, threshold / 100)
    groups = [g for g, _ in GROUPS]
    history.series = sorted(by_name.values(), key=lambda s: (groups.index(s.group), rank[s.name]))
    return history


def _marked(points: list[Point], threshold: float) -> list[Point]:
    """The points with how much worse each is than the one before, by `bench --compare`'s rule."""
    out = points[:1]
    for prev, cur in pairwise(points):
        change = Change(prev.metric, cur.metric)
        flagged = bool(regressions([change], threshold))
        out.append(Point(cur.folder, cur.when, cur.commit, cur.metric, change.worse, flagged))
    return out


def _read_metrics(folder: Path, problems: list[str]) -> list[Metric]:
    metrics: list[Metric] = []
    for name, parse in _PARSERS:
        path = folder / name
        if not path.is_file():
            continue
        try:
            metrics += parse(json.loads(path.read_text(errors="replace")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
            problems.append(f"{folder.name}/{name}: not readable ({e!r})")
    return metrics


def _commit(folder: Path) -> str | None:
    """The run's commit from meta.json, else the one ratios.json recorded."""
    for name in (META_JSON, RATIOS_JSON):
        try:
            data = fields.json_object(folder / name)
        except (OSError, ValueError):
            continue
        if found := fields.commit(data.get("commit"), data.get("dirty")):
            return found
    return None
