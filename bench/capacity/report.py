"""A capacity search written out: a line per step as it ends, capacity.json and summary.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from bench.capacity.verdict import Judged, Verdict, describe
from bench.load.summary import ms

HEADER = (
    f"capacity: {'step':>4} {'offered/s':>10} {'achieved/s':>10} {'req/s':>8} {'p50 ms':>7} "
    f"{'p95 ms':>7} {'p99 ms':>7} {'errors':>7} {'locust CPU':>10} {'service CPU':>11}  result"
)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def step_line(number: int, j: Judged) -> str:
    """One row under HEADER, printed as the step ends."""
    s = j.step
    why = f" ({'; '.join(j.reasons)})" if j.reasons else ""
    return (
        f"capacity: {number:>4} {s.offered:>10g} {s.achieved:>10.1f} {s.rps:>8.0f} "
        f"{ms(s.p50_ms):>7} {ms(s.p95_ms):>7} {ms(s.p99_ms):>7} {s.error_rate:>7.2%} "
        f"{_pct(s.generator_pct):>10} {_pct(s.service_pct):>11}  {j.status}{why}"
    )


def as_json(
    judged: Sequence[Judged], verdict: Verdict, slo: dict[str, float], settings: dict[str, Any]
) -> dict[str, Any]:
    """capacity.json: the capacity (None when none was found), the verdict, every step."""
    best, knee, bound = verdict.capacity, verdict.knee, verdict.bound
    return {
        "capacity_rate": best.offered if best else None,
        "capacity_rps": round(best.rps, 1) if best else None,
        "p99_ms_at_capacity": best.p99_ms if best else None,
        "knee_rate": knee.step.offered if knee else None,
        "generator_bound_rate": bound.step.offered if bound else None,
        "verdict": list(verdict.lines),
        "slo": slo,
        "settings": settings,
        "steps": [
            {**asdict(j.step), "status": j.status, "reasons": list(j.reasons)} for j in judged
        ],
    }


def render(title: str, facts: Sequence[str], judged: Sequence[Judged], verdict: Verdict) -> str:
    """summary.md: what ran, the verdict, the picture, then the steps in the order they ran."""
    lines = [f"# {title}", "", *(f"- {fact}" for fact in facts), "", "## Verdict", ""]
    lines += [f"    {line}" for line in verdict.lines]
    lines += [
        "",
        "![p50, p95 and p99 against the offered rate](capacity.svg)",
        "",
        "## Steps, in the order they ran",
        "",
        "Rates in iterations/s of the scenario (achieved: started, short of offered when locust "
        "fell behind); latency from each request's intended start, after the step's warm-up; "
        "CPU in percent of one core (locust: its busiest process).",
        "",
        "| step | offered/s | achieved/s | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| locust CPU | service CPU | result |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for n, j in enumerate(judged, 1):
        s = j.step
        result = j.status + (f": {'; '.join(j.reasons)}" if j.reasons else "")
        link = f"[{n}](steps/{s.folder}/summary.md)" if s.folder else str(n)
        cells = [link, f"{s.offered:g}", f"{s.achieved:.1f}", f"{s.rps:.0f}", ms(s.p50_ms)]
        cells += [ms(s.p95_ms), ms(s.p99_ms), f"{s.error_rate:.2%}", _pct(s.generator_pct)]
        cells += [_pct(s.service_pct), result]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def title(scenario: str, slo: dict[str, float]) -> str:
    """The run's title, in summary.md and the picture."""
    return f"Capacity of {scenario} with SLO {describe(slo)}"
