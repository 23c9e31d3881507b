"""A run's numbers as a dict (summary.json, load.json) and as a page a person reads (summary.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.load.sampler import GENERATOR_BOUND_PCT, CpuUse
from bench.load.slo import Verdict
from bench.load.totals import Stats, Totals
from bench.load.workers import WorkerUse

PERCENTILES = {"p50_ms": 0.50, "p95_ms": 0.95, "p99_ms": 0.99}


def digest(t: Totals) -> dict[str, float]:
    """rps, p50/p95/p99/max in ms, requests, failures and error rate of one row."""
    row: dict[str, float] = {"rps": round(t.rps, 1)}
    row.update({key: t.pct(q) for key, q in PERCENTILES.items()})
    row.update(max_ms=round(t.max_ms, 1), requests=t.requests, failures=t.failures)
    row["error_rate"] = round(t.error_rate, 6)
    return row


@dataclass
class OpenModel:
    """What the open model measured: the counts and the latency from each intended start."""

    target_rate: float
    counts: dict[str, float]
    intended: Stats
    lag: Stats

    def rate(self, key: str, end: str) -> float:
        """Per second, between the first arrival and `end` (the last arrival, or last answer)."""
        span = self.counts.get(end, 0.0) - self.counts.get("first_start", 0.0)
        n = self.counts.get(key, 0.0)
        return (n - 1) / span if span > 0 and n > 1 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "target_rate": self.target_rate,
            "achieved_rate": round(self.rate("arrivals", "last_start"), 1),
            "completed_rate": round(self.rate("completed", "last_done"), 1),
            "dropped": int(self.counts.get("dropped", 0)),
            "peak_in_flight": int(self.counts.get("peak_in_flight", 0)),
            "start_lag": digest(self.lag.total),
            "from_intended_start": digest(self.intended.total),
        }


@dataclass
class Report:
    """Everything summary.md and summary.json say about one run."""

    title: str
    facts: list[str]
    stats: Stats
    cpu: CpuUse | None = None
    open_model: OpenModel | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    workers: list[WorkerUse] | None = None  # a master's workers, as it counted them

    def measured(self) -> dict[str, float]:
        """The numbers SLOs are checked against; latency from intended starts in the open model."""
        latency = self.open_model.intended.total if self.open_model else self.stats.total
        return {
            "p95_ms": latency.pct(0.95),
            "p99_ms": latency.pct(0.99),
            "error_rate": self.stats.total.error_rate,
            "min_rps": self.stats.total.rps,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "totals": digest(self.stats.total),
            "endpoints": [
                {"method": t.method, "name": t.name, **digest(t)} for t in self.stats.endpoints
            ],
            "generator_cpu": self.cpu.generator_pct if self.cpu else None,
            "server_cpu": self.cpu.server_pct if self.cpu else None,
            "generator_bound": bool(self.cpu and self.cpu.generator_bound),
            "open_model": self.open_model.as_dict() if self.open_model else None,
            "workers": (
                [{"id": w.id, "requests": w.requests, "cpu_pct": w.cpu_pct} for w in self.workers]
                if self.workers is not None
                else None
            ),
            "slo": [
                {"key": v.key, "threshold": v.threshold, "measured": v.measured, "passed": v.passed}
                for v in self.verdicts
            ],
        }


def ms(value: float) -> str:
    """Milliseconds with a decimal below 100, whole above."""
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def table(stats: Stats) -> list[str]:
    """A markdown table with a row per endpoint and one for all of them."""
    lines = [
        "| method | endpoint | requests | failures | rps | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for t in [*stats.endpoints, stats.total]:
        name = "**all**" if t is stats.total else f"`{t.name}`"
        cells = [t.method, name, str(t.requests), str(t.failures), f"{t.rps:.1f}"]
        cells += [ms(t.pct(q)) for q in PERCENTILES.values()] + [ms(t.max_ms)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def workers_table(workers: list[WorkerUse]) -> list[str]:
    """The master's workers: requests each sent and its CPU, with a warning for a busy one."""
    lines = [
        "## Workers",
        "",
        f"{len(workers)} worker(s) reported to the master; the totals below add up their requests.",
        "",
        "| worker | requests | CPU, mean share of one core |",
        "|---|--:|--:|",
    ]
    for w in workers:
        cpu = f"{w.cpu_pct:.0f}%" if w.cpu_pct is not None else "not reported"
        lines.append(f"| `{w.id}` | {w.requests} | {cpu} |")
    if busy := [w.id for w in workers if w.generator_bound]:
        lines += [
            "",
            f"**Warning: generator-bound worker(s)** {', '.join(busy)}: over "
            f"{GENERATOR_BOUND_PCT:.0f}% of a core. Run more worker processes on idle cores.",
        ]
    return lines


def render(report: Report) -> str:
    """summary.md."""
    lines = [f"# {report.title}", "", *(f"- {fact}" for fact in report.facts)]
    if report.cpu:
        server = (
            f"{report.cpu.server_pct:.0f}%" if report.cpu.server_pct is not None else "not sampled"
        )
        lines.append(
            f"- CPU, mean share of one core: generator {report.cpu.generator_pct:.0f}% "
            f"(its busiest process), service {server}"
        )
        if report.cpu.generator_bound:
            lines += [
                "",
                f"**Warning: generator-bound.** The load generator used over "
                f"{GENERATOR_BOUND_PCT:.0f}% of a core, so these numbers measure locust as much as "
                "the service. "
                "Add `--workers N` (on other machines, if this one has no idle core).",
            ]
    if report.workers is not None:
        lines += ["", *workers_table(report.workers)]
    actual = "from each request's actual start" if report.open_model else "per request"
    lines += ["", f"## Latency {actual}", "", *table(report.stats)]
    if om := report.open_model:
        d = om.as_dict()
        lag = d["start_lag"]
        lines += [
            "",
            "## Open model",
            "",
            f"- target {om.target_rate:g} iterations/s; achieved {d['achieved_rate']:g}/s started, "
            f"{d['completed_rate']:g}/s completed; {d['dropped']} dropped; "
            f"at most {d['peak_in_flight']} in flight per generator user",
            f"- start lag (intended to actual start): p50 {ms(lag['p50_ms'])} ms, "
            f"p99 {ms(lag['p99_ms'])} ms, max {ms(lag['max_ms'])} ms",
            "",
            "### Latency from each request's intended start",
            "",
            "What a user arriving on schedule waits: it includes any time the request spent "
            "waiting to be sent. The SLO latency checks use it.",
            "",
            *table(om.intended),
        ]
    if report.verdicts:
        lines += ["", "## SLOs", "", *(f"- {v.line()}" for v in report.verdicts)]
    return "\n".join(lines) + "\n"
