"""How a ratios run measures: rounds, durations, connections, seeded tasks, configs, cores."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.load.cpus import Pinning
from bench.ratios.configs import LOCAL_CONFIG, production_config


@dataclass(frozen=True)
class Settings:
    """Everything that shapes the numbers, recorded in ratios.json next to them."""

    rounds: int = 7
    duration_s: int = 1  # wrk takes whole seconds
    warmup_s: int = 1
    connections: int = 20
    seed_tasks: int = 20_000
    prod_config: Path = field(default_factory=production_config)
    local_config: Path = LOCAL_CONFIG
    pinning: Pinning | None = None

    @property
    def server_cores(self) -> tuple[int, ...] | None:
        """The cores every server runs on (None: not pinned)."""
        return self.pinning.server if self.pinning else None

    @property
    def wrk_cores(self) -> tuple[int, ...] | None:
        """The core wrk runs on (None: not pinned)."""
        # wrk runs one thread: one core of the generator's side is all it uses.
        return self.pinning.generator[:1] if self.pinning else None
