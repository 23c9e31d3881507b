"""Which rate to try next: coarse steps up by a factor until one misses the SLO, then bisection.

Pure: the search sees only the rates tried so far, whether each met the SLO, and the lowest rate
the load generator could not drive (nothing at or above it is tried again), so the driver can stop
at any time (its time budget) and the plan stays testable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """Where the search starts, how fast it climbs, where it stops climbing, how fine it ends."""

    start: float = 50.0  # the first and lowest step, iterations/s
    factor: float = 2.0  # each coarse step's rate over the one before
    ceiling: float = 100_000.0  # no step above this rate
    resolution: float = 0.05  # stop once the passing and failing rates are this close (relative)

    def problem(self) -> str | None:
        """Why this plan cannot run, or None."""
        if not (math.isfinite(self.start) and self.start > 0):
            return f"the first rate must be a number above 0, got {self.start:g}"
        if not (math.isfinite(self.factor) and self.factor > 1):
            return f"the coarse steps' factor must be above 1, got {self.factor:g}"
        if not (math.isfinite(self.ceiling) and self.ceiling >= self.start):
            return f"the highest rate ({self.ceiling:g}) is below the first ({self.start:g})"
        if not 0 < self.resolution < 1:
            return f"the resolution must be between 0 and 1, got {self.resolution:g}"
        return None


def nice(rate: float) -> float:
    """A rate to three significant digits, so the steps read as 150/s rather than 153.125/s."""
    if rate <= 0:
        return rate
    digits = 2 - math.floor(math.log10(rate))
    rounded = round(rate, digits)
    return float(int(rounded)) if rounded >= 100 else rounded


def bracket(
    tried: Sequence[tuple[float, bool]], limit: float | None = None
) -> tuple[float | None, float | None]:
    """(the highest passing rate below the lowest failing one, or `limit` if lower, and that
    upper rate); None where there is none."""
    failed = [rate for rate, ok in tried if not ok] + ([limit] if limit is not None else [])
    hi = min(failed) if failed else None
    passed = [rate for rate, ok in tried if ok and (hi is None or rate < hi)]
    return (max(passed) if passed else None), hi


def next_rate(
    plan: Plan, tried: Sequence[tuple[float, bool]], limit: float | None = None
) -> float | None:
    """The next rate to try after `tried` (rate, met the SLO) in order; None when done.

    `limit`: the lowest rate the generator could not drive; the search stays below it, as below
    a rate that missed the SLO. Done when the first step missed the SLO (nothing lower is tried),
    when every step up to the ceiling met it, or when the highest passing rate and the lowest
    failing (or limit) one are within the resolution of each other.
    """
    if not tried:
        return nice(plan.start) if limit is None else None
    lo, hi = bracket(tried, limit)
    if lo is None:
        return None  # the lowest step missed the SLO
    if hi is None:
        if lo >= plan.ceiling:
            return None
        return min(nice(lo * plan.factor), plan.ceiling)
    if hi - lo <= plan.resolution * lo:
        return None
    mid = nice((lo + hi) / 2)
    done = {rate for rate, _ in tried}
    return None if mid <= lo or mid >= hi or mid in done else mid
