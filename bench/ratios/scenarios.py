"""The ratio scenarios: what each one asks of which server, and the baseline it is held to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Server = Literal["baseline", "minimal", "prod", "local"]
"""Bare Tornado, the minimal app (bench/minimal), the service with the production config, or
with the tutorial's local one."""


@dataclass(frozen=True)
class Scenario:
    """One measured request kind; `path` may name `{id}`, a stored task's id."""

    name: str
    server: Server
    method: Literal["GET", "POST"]
    path: str
    baseline: str | None = None  # the scenario this one's rate is divided by
    target: float | None = None  # the goal for that ratio
    # The minimal app's scenario for the same request: its ratio is the most this one can reach.
    reference: str | None = None

    @property
    def store(self) -> Literal["read", "write"] | None:
        """The store a service scenario runs on: the seeded one for reads, a fresh one for POST."""
        if self.server == "baseline":
            return None
        return "write" if self.method == "POST" else "read"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("baseline-get", "baseline", "GET", "/tasks/1"),
    Scenario("baseline-post", "baseline", "POST", "/tasks"),
    Scenario("minimal-get", "minimal", "GET", "/tasks/{id}", "baseline-get"),
    Scenario("minimal-post", "minimal", "POST", "/tasks", "baseline-post"),
    Scenario("minimal-list", "minimal", "GET", "/tasks?limit=10", "baseline-get"),
    Scenario("get-one", "prod", "GET", "/tasks/{id}", "baseline-get", 0.90, "minimal-get"),
    Scenario("post", "prod", "POST", "/tasks", "baseline-post", 0.75, "minimal-post"),
    Scenario("list", "prod", "GET", "/tasks?limit=10", "baseline-get", 0.80, "minimal-list"),
    Scenario("get-one-local", "local", "GET", "/tasks/{id}", "baseline-get", 0.70, "minimal-get"),
)
BY_NAME = {s.name: s for s in SCENARIOS}


def select(expr: str | None) -> tuple[Scenario, ...]:
    """The scenarios whose names contain `expr` (all without one), with the baselines and the
    minimal app's scenarios they are compared with."""
    if not expr:
        return SCENARIOS
    chosen = {s.name for s in SCENARIOS if expr in s.name}
    chosen |= {ref for name in chosen if (ref := BY_NAME[name].reference)}
    chosen |= {base for name in chosen if (base := BY_NAME[name].baseline)}
    return tuple(s for s in SCENARIOS if s.name in chosen)
