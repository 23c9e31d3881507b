"""The load shapes as locust LoadTestShape classes, scaled by --users (peak) and --run-time."""

from __future__ import annotations

from typing import ClassVar

from locust import LoadTestShape

from bench.load.plans import DEFAULT_DURATION_S, SHAPES, Shape


class PlannedShape(LoadTestShape):
    """Users over time from a plan in bench.load.plans; stops when the plan ends."""

    abstract = True
    use_common_options = True
    plan: ClassVar[Shape]

    def tick(self) -> tuple[int, float] | None:
        assert self.runner is not None
        assert self.runner.environment.parsed_options is not None
        options = self.runner.environment.parsed_options
        peak = int(options.num_users or 10)
        users = self.plan.users(self.get_run_time(), peak, options.run_time or DEFAULT_DURATION_S)
        return None if users is None else (users, float(options.spawn_rate or peak))


class StepShape(PlannedShape):
    """step: rising stairs up to --users."""

    plan = SHAPES["step"]


class SpikeShape(PlannedShape):
    """spike: a fifth of --users, a burst to --users, a fifth again."""

    plan = SHAPES["spike"]


BY_NAME: dict[str, type[PlannedShape]] = {c.plan.name: c for c in (StepShape, SpikeShape)}
