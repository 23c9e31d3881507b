"""LoopMonitor: samples the event loop's lag every 100 ms, and says where a blocked loop was.

A timer that should fire every `interval` seconds fires late by exactly the time the loop spent
on other work: that lateness is the lag. A watchdog thread notices when the timer is overdue by
more than the warning threshold and takes the loop thread's stack while it is still blocked;
once the loop is back, one WARNING line gives the lag and that stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from types import FrameType
from typing import Final

from taskservice.utils.logutils import log_event

INTERVAL_S: Final = 0.1
_FRAMES: Final = 6  # innermost frames named in the WARNING line


def where(frame: FrameType | None, limit: int = _FRAMES) -> str:
    """A stack as one logfmt-friendly value, innermost first: `file:line:function < ...`."""
    if frame is None:
        return "unknown"
    summary = traceback.extract_stack(frame, limit=limit)
    return " < ".join(f"{f.filename}:{f.lineno}:{f.name}" for f in reversed(summary))


class LoopMonitor:
    """Lag samples to `observe`; a WARNING when one reaches `warn_after_s` (None: never)."""

    def __init__(
        self,
        logger: logging.Logger,
        warn_after_s: float | None = None,
        observe: Callable[[float], None] | None = None,
        interval_s: float = INTERVAL_S,
    ) -> None:
        self.logger = logger
        self.warn_after_s = warn_after_s
        self.interval_s = interval_s
        self._observe = observe
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        # Written by the loop thread, read by the watchdog; each is one atomic attribute store.
        self._due = 0.0  # when the sampler's timer should fire next (time.monotonic())
        self._blocked: tuple[float, str] | None = None  # (that due time, where the loop was)

    def start(self) -> None:
        """Start sampling on the running loop (and the watchdog thread, if it warns)."""
        self._loop_thread = threading.get_ident()
        self._due = time.monotonic() + self.interval_s
        self._task = asyncio.get_running_loop().create_task(self._sample(), name="loop-monitor")
        if self.warn_after_s is not None:
            self._thread = threading.Thread(target=self._watch, name="loop-watchdog", daemon=True)
            self._thread.start()

    async def stop(self) -> None:
        """Stop sampling and the watchdog."""
        self._stopped.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    async def _sample(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            now = time.monotonic()
            due, self._due = self._due, now + self.interval_s
            lag = max(0.0, now - due)
            if self._observe is not None:
                self._observe(lag)
            if self.warn_after_s is not None and lag >= self.warn_after_s:
                blocked = self._blocked
                at = blocked[1] if blocked is not None and blocked[0] == due else "unknown"
                lag_ms = round(1000 * lag, 1)
                log_event(self.logger, logging.WARNING, "LOOP_BLOCKED", {}, lag_ms=lag_ms, at=at)

    def _watch(self) -> None:
        assert self.warn_after_s is not None
        # Look a few times per threshold, so a block is caught while it is still going on.
        poll = min(max(self.warn_after_s / 4, 0.005), 0.05)
        while not self._stopped.wait(poll):
            due = self._due
            overdue = time.monotonic() - due
            if overdue >= self.warn_after_s and (self._blocked is None or self._blocked[0] != due):
                frame = sys._current_frames().get(self._loop_thread)
                self._blocked = (due, where(frame))
