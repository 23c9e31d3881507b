"""LoopMonitor: lag samples every interval, and one WARNING naming where a blocked loop was."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from taskservice.observe.looplag import LoopMonitor, where


def block_the_loop_for(seconds: float) -> None:
    """A blocking call on the loop's thread, as a synchronous driver or a CPU hog would be."""
    time.sleep(seconds)


async def run_monitor(monitor: LoopMonitor, block_s: float, settle_s: float = 0.35) -> None:
    monitor.start()
    await asyncio.sleep(0.15)
    block_the_loop_for(block_s)
    await asyncio.sleep(settle_s)
    await monitor.stop()


@pytest.fixture
def logger(caplog: pytest.LogCaptureFixture) -> logging.Logger:
    caplog.set_level(logging.INFO, logger="test.looplag")
    return logging.getLogger("test.looplag")


def test_a_blocked_loop_logs_one_warning_with_its_lag_and_the_blocking_function(
    runner: asyncio.Runner, logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    lags: list[float] = []
    monitor = LoopMonitor(logger, warn_after_s=0.1, observe=lags.append, interval_s=0.05)
    runner.run(run_monitor(monitor, 0.3))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    line = warnings[0].getMessage()
    assert "message=LOOP_BLOCKED" in line
    lag_ms = float(line.split("lag_ms=")[1].split()[0])
    assert 200 <= lag_ms < 600
    assert "block_the_loop_for" in line
    assert "test_looplag.py" in line
    assert max(lags) >= 0.2


def test_lag_under_the_threshold_is_sampled_but_not_logged(
    runner: asyncio.Runner, logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    lags: list[float] = []
    monitor = LoopMonitor(logger, warn_after_s=1.0, observe=lags.append, interval_s=0.05)
    runner.run(run_monitor(monitor, 0.1))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lags) >= 5  # about one sample per interval
    assert 0.07 <= max(lags) < 0.5  # the 0.1 s block, seen as lag


def test_no_threshold_means_no_watchdog_and_no_warning(
    runner: asyncio.Runner, logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    monitor = LoopMonitor(logger, warn_after_s=None, interval_s=0.05)
    runner.run(run_monitor(monitor, 0.3))
    assert monitor._thread is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_idle_loop_lags_only_milliseconds(
    runner: asyncio.Runner, logger: logging.Logger
) -> None:
    lags: list[float] = []
    monitor = LoopMonitor(logger, warn_after_s=None, observe=lags.append, interval_s=0.02)

    async def idle() -> None:
        monitor.start()
        await asyncio.sleep(0.3)
        await monitor.stop()

    runner.run(idle())
    assert len(lags) >= 8
    assert sorted(lags)[len(lags) // 2] < 0.02  # the median, on a shared and noisy machine


def test_where_names_frames_innermost_first() -> None:
    def inner() -> str:
        import sys

        return where(sys._getframe())

    text = inner()
    first, second = text.split(" < ")[:2]
    assert first.endswith(":inner")
    assert second.endswith(":test_where_names_frames_innermost_first")
    assert where(None) == "unknown"
