"""Watching a server process through a run: idle descriptors before and after, samples between."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import psutil
import pytest

from bench.load.service import Service
from bench.soak.watch import ServerWatch, idle_fds


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A process standing in for the server; stopped, by its PID, afterwards."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait(timeout=10)


def test_idle_count_waits_for_a_closing_descriptor_to_go() -> None:
    me = psutil.Process(os.getpid())
    base = me.num_fds()
    read_end, write_end = os.pipe()

    def close() -> None:
        os.close(read_end)
        os.close(write_end)

    # As a client's last connection does, the pipe closes a moment after counting begins.
    closer = threading.Timer(0.3, close)
    closer.start()
    try:
        assert idle_fds(me, timeout=5, steady=0.6) == base
    finally:
        closer.join()


def test_idle_count_of_a_gone_process_is_none(sleeper: subprocess.Popen[bytes]) -> None:
    process = psutil.Process(sleeper.pid)
    sleeper.kill()
    sleeper.wait(timeout=10)
    assert idle_fds(process, timeout=1, steady=0.1) is None


def test_watch_counts_idle_descriptors_around_the_samples(
    sleeper: subprocess.Popen[bytes],
) -> None:
    watch = ServerWatch(interval=0.05, settle_s=3)
    before = time.time()
    with watch(Service("http://127.0.0.1:1", sleeper.pid, "memory://")) as seen:
        assert seen.fds_idle_before is not None
        time.sleep(0.3)
    assert watch.observed is seen
    assert seen.pid == sleeper.pid
    assert seen.started_at >= before
    assert len(seen.samples) >= 2
    assert all(s.rss_bytes > 0 for s in seen.samples)
    assert seen.fds_idle_after == seen.fds_idle_before
