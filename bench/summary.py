"""The compact table of a run's medians, grouped as the benchmarks are, with ratios to baselines."""

from __future__ import annotations

from bench.ratios import report as ratios_report
from bench.results import Metric, Run


def format_seconds(seconds: float) -> str:
    """A duration in the unit that keeps it readable: ns, µs, ms or s, to three digits."""
    for unit, scale in (("ns", 1e-9), ("µs", 1e-6), ("ms", 1e-3)):
        if seconds < scale * 1000:
            return f"{_three_digits(seconds / scale)} {unit}"
    return f"{_three_digits(seconds)} s"


def format_value(metric: Metric) -> str:
    """A metric's value with its unit."""
    if metric.unit == "seconds":
        return format_seconds(metric.value)
    if metric.unit == "x":
        return f"{metric.value:.2f}x"
    return f"{_three_digits(metric.value)} {metric.unit}"


def _three_digits(x: float) -> str:
    decimals = 2 if abs(x) < 10 else 1 if abs(x) < 100 else 0
    return f"{x:,.{decimals}f}"


def render(run: Run) -> str:
    """A markdown table: a section per group, a median per row, and its ratio to the baseline."""
    commit = run.meta.get("commit") or "unknown"
    dirty = " (uncommitted changes)" if run.meta.get("dirty") else ""
    lines = [
        f"# {run.folder.name}",
        "",
        f"commit {commit[:10]}{dirty}, {run.meta.get('python', '?')}, "
        f"{run.meta.get('machine', {}).get('cpu', '?')}",
    ]
    groups: dict[str, list[Metric]] = {}
    for metric in run.metrics.values():
        if metric.group != "ratios":  # they have a table of their own, below
            groups.setdefault(metric.group, []).append(metric)
    if groups:
        lines += [
            "",
            "| benchmark | median (load: total) | vs baseline | rounds |",
            "|---|---:|---:|---:|",
        ]
    for group, metrics in groups.items():
        baseline = next((m for m in metrics if m.baseline), None)
        lines.append(f"| **{group}** | | | |")
        for m in metrics:
            ratio = f"{m.value / baseline.value:.2f}x" if baseline and baseline.value else ""
            rounds = "" if m.rounds is None else str(m.rounds)
            lines.append(f"| {m.name} | {format_value(m)} | {ratio} | {rounds} |")
    if run.ratios is not None:
        lines += ["", ratios_report.render(run.ratios)]
    return "\n".join(lines)
