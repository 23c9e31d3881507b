"""Counts requests in flight, so a shutdown can wait for them to finish."""

from __future__ import annotations

import asyncio


class InFlight:
    """A counter of open requests with an awaitable 'all done'; used only on the event loop."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def started(self) -> None:
        """A request arrived (its headers are in; its body may still be arriving)."""
        self.count += 1
        self._idle.clear()

    def finished(self) -> None:
        """A request was answered, or its client went away."""
        self.count -= 1
        if self.count <= 0:
            self.count = 0
            self._idle.set()

    async def wait_idle(self) -> None:
        """Wait until no request is in flight (bound it with asyncio.timeout)."""
        await self._idle.wait()
