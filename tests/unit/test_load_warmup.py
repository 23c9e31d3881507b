"""A run's warm-up: the runner restarts its CPU sampling when locust says the warm-up is over."""

from __future__ import annotations

import io
import os

import pytest

from bench.load import runner
from bench.load.sampler import Sampler


class FakeSampler(Sampler):
    """Counts restarts; never samples."""

    def __init__(self) -> None:
        super().__init__({})
        self.restarts = 0

    def restart(self) -> None:
        self.restarts += 1


def test_warm_up_line_restarts_cpu_sampling() -> None:
    sampler = FakeSampler()
    stream = io.BytesIO(b"warmup done elapsed_s=3\n")
    runner._relay(stream, sampler, 10.0, runner._Seen(), echo=False)
    assert sampler.restarts == 1


def test_a_quiet_relay_prints_neither_progress_nor_locust_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = b"progress elapsed_s=2.0 rps=10.0 requests=20 failures=0 users=1\nsome table\n"
    runner._relay(io.BytesIO(lines), FakeSampler(), 10.0, runner._Seen(), echo=False)
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_restart_drops_the_samples_taken_before_it() -> None:
    sampler = Sampler({"generator": [os.getpid()]})
    sampler._samples[os.getpid()] += [100.0, 100.0]
    assert sampler.use().generator_pct == 100.0
    sampler.restart()
    assert sampler.use().generator_pct == 0.0
