"""Sample a process's resident memory, open descriptors and CPU on a fixed beat, in a thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Sample:
    """One reading, `t` seconds after sampling began."""

    t: float
    rss_bytes: int
    fds: int
    cpu_percent: float


def read(process: psutil.Process, t: float) -> Sample:
    """One reading of `process` now."""
    with process.oneshot():
        return Sample(t, process.memory_info().rss, process.num_fds(), process.cpu_percent())


class Sampler:
    """Reads a process every `interval` seconds until stopped, or until the process is gone."""

    def __init__(self, pid: int, interval: float = 1.0) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-sampler", daemon=True)

    def start(self) -> Sampler:
        self.process.cpu_percent()  # the first call only sets the reference point
        self._thread.start()
        return self

    def stop(self) -> list[Sample]:
        """Stop sampling and return every sample taken."""
        self._stop.set()
        self._thread.join()
        return self.samples

    def _run(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            try:
                self.samples.append(read(self.process, time.monotonic() - start))
            except psutil.Error:
                return  # the process has exited: the samples so far are all there is
            self._stop.wait(self.interval)
