"""Load shapes as pure functions of elapsed time: how many users should run at second t."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

STAIRS = 5


def step_users(t: float, peak: int, duration: float) -> int | None:
    """Rising stairs: STAIRS equal steps up to `peak`, then stop (None) at `duration`."""
    if t >= duration:
        return None
    stair = min(int(t / (duration / STAIRS)), STAIRS - 1)
    return max(1, math.ceil(peak * (stair + 1) / STAIRS))


def spike_users(t: float, peak: int, duration: float) -> int | None:
    """A fifth of `peak`, then `peak` for the middle fifth of the run, then a fifth again."""
    if t >= duration:
        return None
    if 0.4 * duration <= t < 0.6 * duration:
        return peak
    return max(1, peak // 5)


@dataclass(frozen=True)
class Shape:
    """A named load shape: users over time, given the peak users and the run's duration."""

    name: str
    class_name: str
    about: str
    users: Callable[[float, int, float], int | None]


SHAPES: dict[str, Shape] = {
    s.name: s
    for s in (
        Shape(
            "step", "StepShape", f"{STAIRS} rising stairs up to --users over --duration", step_users
        ),
        Shape(
            "spike",
            "SpikeShape",
            "a fifth of --users, a burst to --users in the middle fifth, back to a fifth",
            spike_users,
        ),
    )
}
DEFAULT_DURATION_S = 60.0
"""A shape's length when the web UI starts it without a run time."""

SHAPES_ENV = "TASKSERVICE_LOAD_SHAPES"
"""Comma-separated shape names the locustfile exposes (locust runs the first shape it finds)."""
