"""The ratio scenarios: what each one asks of which server, and the baseline it is held to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Server = Literal["baseline", "prod", "local"]
"""Bare Tornado, the service with the production config, or with the tutorial's local one."""


@dataclass(frozen=True)
class Scenario:
    """One measured request kind; `path` may name `{id}`, a stored task's id."""

    name: str
    server: Server
    method: Literal["GET", "POST"]
    path: str
    baseline: str | None = None  # the scenario this one's rate is divided by
    target: float | None = None  # the goal for that ratio

    @property
    def store(self) -> Literal["read", "write"] | None:
        """The store a service scenario runs on: the seeded one for reads, a fresh one for POST."""
        if self.server == "baseline":
            return None
        return "write" if self.method == "POST" else "read"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("baseline-get", "baseline", "GET", "/tasks/1"),
    Scenario("baseline-post", "baseline", "POST", "/tasks"),
    Scenario("get-one", "prod", "GET", "/tasks/{id}", "baseline-get", 0.90),
    Scenario("post", "prod", "POST", "/tasks", "baseline-post", 0.75),
    Scenario("list", "prod", "GET", "/tasks?limit=10", "baseline-get", 0.80),
    Scenario("get-one-local", "local", "GET", "/tasks/{id}", "baseline-get", 0.70),
)
BY_NAME = {s.name: s for s in SCENARIOS}


def select(expr: str | None) -> tuple[Scenario, ...]:
    """The scenarios whose names contain `expr` (all without one), with the baselines they need."""
    if not expr:
        return SCENARIOS
    chosen = {s.name for s in SCENARIOS if expr in s.name}
    chosen |= {base for name in chosen if (base := BY_NAME[name].baseline)}
    return tuple(s for s in SCENARIOS if s.name in chosen)
