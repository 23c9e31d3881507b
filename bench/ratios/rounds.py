"""Interleaved rounds and what they add up to: medians, per-round ratios, and the targets."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.ratios.scenarios import Scenario


def order(scenarios: Sequence[Scenario], round_index: int, rounds: int) -> list[Scenario]:
    """The scenarios in round `round_index`'s order: rotated so each takes a different turn.

    The shift spreads over the rounds, so a scenario and its baseline do not always run in the
    same part of a round (a machine that slows down over a round then tilts no ratio).
    """
    if not scenarios:
        return []
    shift = round_index * len(scenarios) // max(rounds, 1) % len(scenarios)
    return [*scenarios[shift:], *scenarios[:shift]]


@dataclass(frozen=True)
class Ratio:
    """A service scenario's rate over its baseline's: per round, their median, and the goal."""

    scenario: str
    baseline: str
    per_round: list[float]
    target: float | None

    @property
    def median(self) -> float:
        """The median of the per-round ratios: one slow round cannot move it."""
        return statistics.median(self.per_round)

    @property
    def met(self) -> bool | None:
        """Whether the median reaches the target; None when there is no target."""
        return None if self.target is None else self.median >= self.target


def per_round_ratios(rates: Sequence[float], baseline_rates: Sequence[float]) -> list[float]:
    """Each round's rate over the same round's baseline rate (0 when the baseline did nothing)."""
    if len(rates) != len(baseline_rates):
        raise ValueError(f"{len(rates)} rounds against {len(baseline_rates)} baseline rounds")
    return [r / b if b else 0.0 for r, b in zip(rates, baseline_rates, strict=True)]


def ratios(scenarios: Sequence[Scenario], rates: dict[str, list[float]]) -> list[Ratio]:
    """The ratio of every scenario that has a baseline among `rates`, in scenario order."""
    return [
        Ratio(s.name, s.baseline, per_round_ratios(rates[s.name], rates[s.baseline]), s.target)
        for s in scenarios
        if s.baseline and s.name in rates and s.baseline in rates
    ]


def median(values: Sequence[float]) -> float:
    """The median; 0 for no values (a scenario that never ran)."""
    return statistics.median(values) if values else 0.0
