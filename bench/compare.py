"""Compare two bench runs, median against median, and flag what got slower than a threshold."""

from __future__ import annotations

from dataclasses import dataclass

from bench.results import Metric, Run, same_machine
from bench.summary import format_value


@dataclass(frozen=True)
class Change:
    """One metric in both runs; `worse` is the fraction by which the new run is worse (or better,
    when negative): slower for timings, lower for rates."""

    old: Metric
    new: Metric

    @property
    def worse(self) -> float:
        if self.new.value == self.old.value:
            return 0.0
        if self.new.higher_is_better:
            return self.old.value / self.new.value - 1 if self.new.value else float("inf")
        return self.new.value / self.old.value - 1 if self.old.value else float("inf")


def compare(old: Run, new: Run) -> list[Change]:
    """Each metric present in both runs, in the new run's order."""
    return [Change(old.metrics[name], m) for name, m in new.metrics.items() if name in old.metrics]


def regressions(changes: list[Change], threshold: float) -> list[Change]:
    """The changes worse than `threshold` (0.10 is 10%)."""
    return [c for c in changes if c.worse > threshold]


def environment_notes(old: Run, new: Run) -> list[str]:
    """Warnings when the two runs did not run on equal ground."""
    notes = []
    old_machine, new_machine = old.meta.get("machine", {}), new.meta.get("machine", {})
    if not same_machine(old_machine, new_machine):
        notes.append(
            "different machines: "
            f"{_machine(old_machine)} then {_machine(new_machine)}; the change mixes both"
        )
    if old.meta.get("python") != new.meta.get("python"):
        notes.append(f"different Pythons: {old.meta.get('python')} then {new.meta.get('python')}")
    return notes


def render(old: Run, new: Run, changes: list[Change], threshold: float) -> str:
    """A markdown table of the changes, worst first, marking those past the threshold."""
    lines = [
        f"Compared with {old.folder.name} (commit {_short(old.meta.get('commit'))}), "
        f"threshold {threshold:.0%}.",
        "",
        "| metric | before | after | change | |",
        "|---|---:|---:|---:|---|",
    ]
    for c in sorted(changes, key=lambda c: c.worse, reverse=True):
        verdict = "SLOWER" if c.worse > threshold else ""
        word = "worse" if c.worse > 0 else "better"
        lines.append(
            f"| {c.new.name} | {format_value(c.old)} | {format_value(c.new)} "
            f"| {abs(c.worse):.1%} {word} | {verdict} |"
        )
    missing = sorted(old.metrics.keys() - new.metrics.keys())
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        lines += ["", f"Only in the earlier run: {shown}"]
    return "\n".join(lines)


def _machine(m: dict[str, object]) -> str:
    return f"{m.get('node', '?')} ({m.get('cpu', '?')}, {m.get('cpus', '?')} cpus)"


def _short(commit: object) -> str:
    return str(commit)[:10] if commit else "unknown"
