"""The ratio scenarios: what each one asks of which server, and the baseline it is held to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Server = Literal["baseline", "minimal", "prod", "local"]
"""Bare Tornado, the minimal app (bench/minimal), the service with the production config, or
with the tutorial's local one."""
Http = Literal["tornado", "llhttp"]
"""Tornado's own HTTP server (on asyncio's loop), or the service's llhttp transport (on uvloop)."""
SERVICE_HTTP: Final = "llhttp"
"""The service's default transport, which the service scenarios run on (tests keep it so)."""


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
    http: Http = "tornado"

    @property
    def store(self) -> Literal["read", "write"] | None:
        """The store a service scenario runs on: the seeded one for reads, a fresh one for POST."""
        if self.server == "baseline":
            return None
        return "write" if self.method == "POST" else "read"


# Every ratio is to bare Tornado on Tornado's own server (the 1.00x); the *-llhttp-* rows are the
# same apps on the service's transport: the ceiling of the service scenarios, which run there too.
_LL: Final = "llhttp"
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("baseline-get", "baseline", "GET", "/tasks/1"),
    Scenario("baseline-post", "baseline", "POST", "/tasks"),
    Scenario("baseline-llhttp-get", "baseline", "GET", "/tasks/1", "baseline-get", http=_LL),
    Scenario("baseline-llhttp-post", "baseline", "POST", "/tasks", "baseline-post", http=_LL),
    Scenario("minimal-get", "minimal", "GET", "/tasks/{id}", "baseline-get"),
    Scenario("minimal-post", "minimal", "POST", "/tasks", "baseline-post"),
    Scenario("minimal-list", "minimal", "GET", "/tasks?limit=10", "baseline-get"),
    Scenario("minimal-llhttp-get", "minimal", "GET", "/tasks/{id}", "baseline-get", http=_LL),
    Scenario("minimal-llhttp-post", "minimal", "POST", "/tasks", "baseline-post", http=_LL),
    Scenario("minimal-llhttp-list", "minimal", "GET", "/tasks?limit=10", "baseline-get", http=_LL),
    Scenario("get-one", "prod", "GET", "/tasks/{id}", "baseline-get", 1.6,
             "minimal-llhttp-get", SERVICE_HTTP),
    Scenario("post", "prod", "POST", "/tasks", "baseline-post", 1.3,
             "minimal-llhttp-post", SERVICE_HTTP),
    Scenario("list", "prod", "GET", "/tasks?limit=10", "baseline-get", 1.1,
             "minimal-llhttp-list", SERVICE_HTTP),
    Scenario("get-one-local", "local", "GET", "/tasks/{id}", "baseline-get", 1.3,
             "minimal-llhttp-get", SERVICE_HTTP),
)  # fmt: skip
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
