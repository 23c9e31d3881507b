"""Watching a server process through a run: idle descriptors before and after, samples between."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import psutil
import pytest

from bench.load.service import Service
from bench.soak import watch as watch_module
from bench.soak.sampler import Sampler
from bench.soak.watch import ServerWatch, idle_fds
from tests.support.server import wait_until


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A process standing in for the server; stopped, by its PID, afterwards."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait(timeout=10)


class _ClosesAfterTheFirstCount(psutil.Process):
    """This process; the pipe closes just after the first count, as a client's last
    connection does a moment after counting begins (on the event, not after a delay)."""

    def __init__(self, pipe: tuple[int, int]) -> None:
        super().__init__(os.getpid())
        self.pipe: tuple[int, ...] = pipe

    def num_fds(self) -> int:
        count = super().num_fds()
        for fd in self.pipe:
            os.close(fd)
        self.pipe = ()
        return count


def test_idle_count_waits_for_a_closing_descriptor_to_go() -> None:
    base = psutil.Process(os.getpid()).num_fds()
    me = _ClosesAfterTheFirstCount(os.pipe())
    assert idle_fds(me, timeout=30, steady=0.6) == base


def test_idle_count_of_a_gone_process_is_none(sleeper: subprocess.Popen[bytes]) -> None:
    process = psutil.Process(sleeper.pid)
    sleeper.kill()
    sleeper.wait(timeout=10)
    assert idle_fds(process, timeout=1, steady=0.1) is None


def test_watch_counts_idle_descriptors_around_the_samples(
    sleeper: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    samplers: list[Sampler] = []

    class Kept(Sampler):
        def start(self) -> Sampler:
            samplers.append(self)
            return super().start()

    monkeypatch.setattr(watch_module, "Sampler", Kept)
    watch = ServerWatch(interval=0.05, settle_s=3)
    before = time.time()
    with watch(Service("http://127.0.0.1:1", sleeper.pid, "memory://")) as seen:
        assert seen.fds_idle_before is not None
        # Two samples taken, however long the sampler's thread waits for its turn.
        assert wait_until(lambda: len(samplers[0].samples) >= 2, timeout=30, step=0.01)
    assert watch.observed is seen
    assert seen.pid == sleeper.pid
    assert seen.started_at >= before
    assert len(seen.samples) >= 2
    assert all(s.rss_bytes > 0 for s in seen.samples)
    assert seen.fds_idle_after == seen.fds_idle_before
