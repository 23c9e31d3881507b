"""Tracks the requests in flight, so a shutdown can wait for them to finish."""

from __future__ import annotations

import asyncio


class InFlight:
    """The handler tasks still running, and where a shutdown stands; used only on the event loop."""

    def __init__(self) -> None:
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

    def _done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Wait until no request is in flight (bound it with asyncio.timeout)."""
        await self._idle.wait()
