"""What a soak is asked to do, and the load run it makes of that."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.load.options import LoadOptions
from bench.soak import history

DEFAULT_DURATION_S = 600.0
DEFAULT_RATE = 50.0
"""Iterations per second: crud on the sqlite store saturates near 135/s (670 req/s) here."""
WARMUP_SHARE = 0.2
WARMUP_CAP_S = 60.0
LOAD_FOLDER = "load"
"""The load run's own report, inside the soak's folder (it has a summary.md of its own)."""


def default_warmup(duration_s: float) -> float:
    """A fifth of the run, at most a minute: long enough for caches, pools and the allocator to
    fill, short enough to leave most of the run to judge."""
    return min(WARMUP_SHARE * duration_s, WARMUP_CAP_S)


@dataclass(frozen=True)
class SoakOptions:
    """A soak: an open-model load of `rate` iterations/s for `duration_s`, the server watched."""

    duration_s: float = DEFAULT_DURATION_S
    rate: float = DEFAULT_RATE
    scenario: str = "crud"
    warmup_s: float | None = None  # None: default_warmup(duration_s)
    store: str | None = None  # None: a fresh sqlite file, as a real deployment has
    pin: bool = True
    out_dir: Path | None = None
    interval_s: float = 1.0

    @property
    def warmup(self) -> float:
        return default_warmup(self.duration_s) if self.warmup_s is None else self.warmup_s

    def folder_options(self) -> LoadOptions:
        """Names the soak's folder: profiles/<time>-<scenario>-soak (or out_dir)."""
        return LoadOptions(scenario=self.scenario, kind="soak", out_dir=self.out_dir)

    def load_options(self, folder: Path) -> LoadOptions:
        """The load run, its report in `folder`/load."""
        return LoadOptions(
            scenario=self.scenario,
            duration_s=self.duration_s,
            rate=self.rate,
            store=self.store,
            pin=self.pin,
            kind="soak",
            out_dir=folder / LOAD_FOLDER,
            locust_args=history.LOCUST_ARGS,
        )
