"""Tracks the requests in flight, so a shutdown can wait for them to finish."""

from __future__ import annotations

import asyncio
from typing import Protocol


class _Gauge(Protocol):
    def inc(self, amount: float = 1) -> None: ...
    def dec(self, amount: float = 1) -> None: ...


class InFlight:
    """The handler tasks still running, and where a shutdown stands; used only on the event loop.

    With a gauge (the in-flight requests metric), it goes up and down with the count.
    """

    def __init__(self, gauge: _Gauge | None = None) -> None:
        self._gauge = gauge
        self._tasks: set[asyncio.Task[object]] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self.draining = False  # no new connections; answers say Connection: close
        self.closing = False  # the remaining connections are being cut

    @property
    def count(self) -> int:
        """How many requests are in flight."""
        return len(self._tasks)

    def track(self, task: asyncio.Task[object]) -> None:
        """Count a request until its handler task is done, body still arriving included."""
        if task not in self._tasks:
            self._tasks.add(task)
            self._idle.clear()
            task.add_done_callback(self._done)
            if self._gauge is not None:
                self._gauge.inc()

    def _done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if self._gauge is not None:
            self._gauge.dec()
        if not self._tasks:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Wait until no request is in flight (bound it with asyncio.timeout)."""
        await self._idle.wait()
