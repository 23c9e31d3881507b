"""Watch the server through a load run: idle descriptors before and after, samples in between."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psutil

from bench.load.service import Service
from bench.soak.sampler import Sample, Sampler

SETTLE_S = 10.0
"""The longest wait for an idle server's descriptor count to stop changing."""
STEADY_S = 1.0
"""How long the count must hold still to count as settled."""


def idle_fds(
    process: psutil.Process, timeout: float = SETTLE_S, steady: float = STEADY_S
) -> int | None:
    """The process's open descriptors once the count holds for `steady` seconds (None if gone).

    Connections a client has just closed stay open on the server until it reads their end, so a
    count taken at once would blame the server for the client's last moments.
    """
    deadline = time.monotonic() + timeout
    try:
        count = process.num_fds()
        since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = process.num_fds()
            if now != count:
                count, since = now, time.monotonic()
            elif time.monotonic() - since >= steady:
                break
        return count
    except psutil.Error:
        return None


@dataclass
class Observed:
    """What the watch saw: `started_at` is the wall-clock time of the first sample's t=0."""

    pid: int
    started_at: float = 0.0
    fds_idle_before: int | None = None
    fds_idle_after: int | None = None
    samples: list[Sample] = field(default_factory=list)


class ServerWatch:
    """A `runner.run_headless(..., watch=)` hook; what it saw lands in `observed`."""

    def __init__(self, interval: float = 1.0, settle_s: float = SETTLE_S) -> None:
        self.interval = interval
        self.settle_s = settle_s
        self.observed: Observed | None = None

    @contextmanager
    def __call__(self, service: Service) -> Iterator[Observed]:
        """Idle descriptors, then a sample every `interval` until the load ends, then idle again."""
        process = psutil.Process(service.pid)
        seen = self.observed = Observed(service.pid)
        seen.fds_idle_before = idle_fds(process, self.settle_s)
        seen.started_at = time.time()
        sampler = Sampler(service.pid, self.interval).start()
        try:
            yield seen
        finally:
            seen.samples = sampler.stop()
            seen.fds_idle_after = idle_fds(process, self.settle_s)
