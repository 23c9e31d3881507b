"""Sample the CPU use of the generator's and the service's processes while a run goes on."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

import psutil

GENERATOR_BOUND_PCT = 90.0
"""Above this share of a core, a generator process is the bottleneck, not the service."""


@dataclass(frozen=True)
class CpuUse:
    """Mean CPU per process, in percent of one core: the busiest generator process, the service."""

    generator_pct: float
    server_pct: float | None

    @property
    def generator_bound(self) -> bool:
        return self.generator_pct > GENERATOR_BOUND_PCT


class Sampler:
    """A daemon thread taking `cpu_percent` of each process every `interval` seconds."""

    def __init__(self, roles: dict[str, list[int]], interval: float = 1.0) -> None:
        self._procs = [(role, psutil.Process(pid)) for role, pids in roles.items() for pid in pids]
        self._samples: dict[int, list[float]] = defaultdict(list)
        self._roles = {p.pid: role for role, p in self._procs}
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def start(self) -> Sampler:
        for _, proc in self._procs:
            self._measure(proc)  # the first call only sets the baseline
        self._samples.clear()
        self._thread.start()
        return self

    def _measure(self, proc: psutil.Process) -> float | None:
        try:
            return float(proc.cpu_percent(None))
        except psutil.Error:  # the process has ended
            return None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            for _, proc in self._procs:
                if (pct := self._measure(proc)) is not None:
                    self._samples[proc.pid].append(pct)

    def restart(self) -> None:
        """Drop the samples so far: what follows is measured from here (after a warm-up)."""
        self._samples = defaultdict(list)

    def stop(self) -> CpuUse:
        """Stop sampling and summarise."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.use()

    def _means(self, role: str, last: int | None = None) -> list[float]:
        means = []
        for pid, samples in list(self._samples.items()):
            window = samples[-last:] if last else samples
            if self._roles[pid] == role and window:
                means.append(sum(window) / len(window))
        return means

    def use(self, last: int | None = None) -> CpuUse:
        """Mean CPU so far (or over the `last` samples): the busiest generator, the service."""
        server = self._means("server", last)
        return CpuUse(max(self._means("generator", last), default=0.0), max(server, default=None))
