"""What a load run is asked to do: one frozen value shared by the CLI, profiling and the bench."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bench.load.service import LOAD_CONFIG

_SPAN = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?")


def parse_duration(text: str) -> float:
    """`30s`, `2m`, `1h30m`, `45` (seconds) -> seconds; ValueError when malformed or below 1 s."""
    match = _SPAN.fullmatch(text.strip())
    if not text.strip() or match is None:
        raise ValueError(f"expected a duration such as 30s, 2m or 1m30s, got {text!r}")
    h, m, s = (float(g) if g else 0.0 for g in match.groups())
    seconds = h * 3600 + m * 60 + s
    if seconds < 1:
        raise ValueError(f"a run lasts at least 1 s, got {text!r}")
    return seconds


@dataclass(frozen=True)
class LoadOptions:
    """A load run. Only `scenario` is needed; the rest default to a 30-second closed-model run."""

    scenario: str = "crud"
    users: int | None = None  # closed model: 10; open model: one per generator process
    spawn_rate: float | None = None  # default: all users within a second
    duration_s: float = 30.0
    warmup_s: float = 0.0  # the run's first seconds, left out of its numbers (within duration_s)
    rate: float | None = None  # open model: iterations started per second
    shape: str | None = None
    workers: int = 0  # local locust worker processes (0: one process, no master)
    remote_workers: int = 0  # workers the master also waits for, from other machines
    master_port: int | None = None  # default: a free one when every worker is local, else 5557
    master_bind_host: str = "127.0.0.1"
    connect_wait_s: float = 60.0  # how long the master waits for all its workers to join
    host: str | None = None  # a running service; None: start one
    store: str | None = None  # store URL for a service started here; None: fresh sqlite file
    service_workers: int = 1  # the started service's --workers (more than 1: not pinned)
    http: str | None = None  # the started service's --http; None: its config's (llhttp)
    config: Path = LOAD_CONFIG
    slo: dict[str, float] = field(default_factory=dict)
    out_dir: Path | None = None  # default: profiles/<time>-<scenario>-<kind>
    kind: str | None = None  # folder suffix; default: closed, open, step or spike
    pin: bool = True
    progress_every: float = 2.0
    web_port: int = 8089
    locust_args: tuple[str, ...] = ()

    @property
    def model(self) -> str:
        """closed, open, or the shape's name."""
        return "open" if self.rate is not None else self.shape or "closed"

    @property
    def distributed(self) -> bool:
        """A master with workers, rather than one locust process."""
        return bool(self.workers or self.remote_workers)

    @property
    def user_count(self) -> int:
        if self.users is not None:
            return self.users
        return max(1, self.workers + self.remote_workers) if self.rate is not None else 10
