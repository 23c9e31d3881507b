"""Tracks the requests in flight, so a shutdown can wait for them to finish."""

from __future__ import annotations

import asyncio
from typing import Protocol


class _Gauge(Protocol):
    def inc(self, amount: float = 1) -> None: ...
    def dec(self, amount: float = 1) -> None: ...


class InFlight:
    """The requests in flight, and where a shutdown stands; used only on the event loop.

    A request is in flight from the moment its head is read until its handler task is done, body
    still arriving included: a request read whole (application.py) has no handler until its body
    is in, so it is counted by its request (`arrived`) until its handler task takes over
    (`track`), or its connection closes first (`left`). With a gauge (the in-flight requests
    metric), it goes up and down with the count.
    """

    def __init__(self, gauge: _Gauge | None = None) -> None:
        self._gauge = gauge
        self._tasks: set[asyncio.Task[object]] = set()
        self._waiting: set[object] = set()  # requests whose handler task has not started
        self._idle = asyncio.Event()
        self._idle.set()
        self.draining = False  # no new connections; answers say Connection: close
        self.closing = False  # the remaining connections are being cut

    @property
    def count(self) -> int:
        """How many requests are in flight."""
        return len(self._tasks) + len(self._waiting)

    def arrived(self, request: object) -> None:
        """Count a request whose head is read, before its handler task exists."""
        if request not in self._waiting:
            self._waiting.add(request)
            self._up()

    def track(self, task: asyncio.Task[object], request: object = None) -> None:
        """Count a request until its handler task is done; it takes over from `arrived`."""
        if task in self._tasks:
            self.left(request)
            return
        self._tasks.add(task)
        task.add_done_callback(self._done)
        if request in self._waiting:
            self._waiting.discard(request)  # the count passes to the task: no change
        else:
            self._up()

    def left(self, request: object) -> None:
        """A request counted by `arrived` has its handler task now, or will never have one."""
        if request in self._waiting:
            self._waiting.discard(request)
            self._down()

    def _done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        self._down()

    def _up(self) -> None:
        self._idle.clear()
        if self._gauge is not None:
            self._gauge.inc()

    def _down(self) -> None:
        if self._gauge is not None:
            self._gauge.dec()
        if not self._tasks and not self._waiting:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Wait until no request is in flight (bound it with asyncio.timeout)."""
        await self._idle.wait()
