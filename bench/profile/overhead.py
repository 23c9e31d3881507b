"""What each profiler costs: medians over interleaved rounds, and the ratios against no profiler."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

TOOLS = ("none", "py-spy", "yappi")
BASELINE = "none"
METRICS = ("rps", "p50_ms", "p99_ms")


@dataclass(frozen=True)
class Sample:
    """One pass: which round, which profiler, and the load's numbers."""

    round: int
    tool: str
    rps: float
    p50_ms: float
    p99_ms: float
    failures: int = 0


def order(round_index: int, tools: Sequence[str] = TOOLS) -> list[str]:
    """The tools of round `round_index` (from 0), rotated by one a round so none always goes
    first (a warm disk cache or a noisy neighbour then falls on each in turn)."""
    k = round_index % len(tools)
    return [*tools[k:], *tools[:k]]


def medians(samples: Sequence[Sample]) -> dict[str, dict[str, float]]:
    """Per tool, the median of each metric over its rounds."""
    out: dict[str, dict[str, float]] = {}
    for tool in dict.fromkeys(s.tool for s in samples):
        mine = [s for s in samples if s.tool == tool]
        out[tool] = {m: statistics.median(float(getattr(s, m)) for s in mine) for m in METRICS}
    return out


def costs(meds: dict[str, dict[str, float]]) -> dict[str, dict[str, float | None]]:
    """Per profiler: throughput as a ratio of no profiler's, the percent lost, latency ratios."""
    base = meds.get(BASELINE)
    if base is None:
        raise ValueError("no baseline: the rounds hold no run without a profiler")

    def ratio(value: float, of: float) -> float | None:
        return round(value / of, 4) if of > 0 else None

    out: dict[str, dict[str, float | None]] = {}
    for tool, m in meds.items():
        if tool == BASELINE:
            continue
        throughput = ratio(m["rps"], base["rps"])
        out[tool] = {
            "throughput_ratio": throughput,
            "throughput_cost_pct": None if throughput is None else round(100 * (1 - throughput), 1),
            "p50_ratio": ratio(m["p50_ms"], base["p50_ms"]),
            "p99_ratio": ratio(m["p99_ms"], base["p99_ms"]),
        }
    return out


def round_ratios(samples: Sequence[Sample]) -> dict[str, list[float]]:
    """Per profiler, its throughput over no profiler's in the same round: the spread a noisy
    machine leaves, round by round, that the medians hide."""
    base = {s.round: s.rps for s in samples if s.tool == BASELINE}
    out: dict[str, list[float]] = {}
    for s in samples:
        if s.tool != BASELINE and base.get(s.round, 0) > 0:
            out.setdefault(s.tool, []).append(round(s.rps / base[s.round], 2))
    return out


def _num(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def table(
    meds: dict[str, dict[str, float]],
    cost: dict[str, dict[str, float | None]],
    per_round: dict[str, list[float]] | None = None,
) -> str:
    """A Markdown table: medians of each profiler, its throughput cost against none, and the
    same-round ratios."""
    rows = [
        "| profiler | rps | p50 ms | p99 ms | throughput vs none | cost | each round |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for tool, m in meds.items():
        c = cost.get(tool)
        vs = "1.00" if c is None else _num(c["throughput_ratio"], ".2f")
        pct = "-" if c is None else f"{_num(c['throughput_cost_pct'], '.1f')}%"
        rounds = ", ".join(f"{r:.2f}" for r in (per_round or {}).get(tool, [])) or "-"
        rows.append(
            f"| {tool} | {m['rps']:.1f} | {m['p50_ms']:g} | {m['p99_ms']:g} | {vs} | {pct} "
            f"| {rounds} |"
        )
    return "\n".join(rows)


def document(samples: Sequence[Sample], rounds: int) -> dict[str, Any]:
    """overhead.json: every pass, the medians and the costs."""
    meds = medians(samples)
    return {
        "rounds": rounds,
        "passes": [asdict(s) for s in samples],
        "medians": meds,
        "cost": costs(meds),
        "round_ratios": round_ratios(samples),
    }
