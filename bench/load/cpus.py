"""Pin the service and the load generator to different cores, so they do not fight for one."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Pinning:
    """The cores each side may run on."""

    server: tuple[int, ...]
    generator: tuple[int, ...]

    def describe(self) -> str:
        return f"server on cpu {_cpus(self.server)}, generator on cpu {_cpus(self.generator)}"


def _cpus(cores: tuple[int, ...]) -> str:
    return ",".join(map(str, cores))


def plan(enabled: bool = True) -> Pinning | None:
    """The first allowed core for the service, the rest for locust; None without taskset or 2."""
    if not enabled or shutil.which("taskset") is None:
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    return Pinning(server=(allowed[0],), generator=tuple(allowed[1:]))


def prefix(cores: tuple[int, ...] | None) -> list[str]:
    """The command prefix that runs a program on `cores` (nothing when not pinning)."""
    return ["taskset", "-c", _cpus(cores)] if cores else []
