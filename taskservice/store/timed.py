"""TimedStore: any Store, with the time each call spends in it summed per request."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Coroutine, Set
from contextvars import ContextVar
from typing import Any, Final, TypeVar

from taskservice.datamodel import Task
from taskservice.store.protocol import Store, Versioned

T = TypeVar("T")
# op name, seconds, whether it raised: for a latency histogram (see taskservice/observe/metrics.py).
Observer = Callable[[str, float, bool], None]


class StoreTime:
    """The seconds one request has spent waiting on the store so far."""

    __slots__ = ("seconds",)

    def __init__(self) -> None:
        self.seconds = 0.0

    @property
    def ms(self) -> float:
        """The total in milliseconds, rounded to microseconds, as the canonical line shows it."""
        return round(1000.0 * self.seconds, 3)


# Set per request by the web layer (inside the request's own task, so concurrent requests never
# share one); None outside a request, where calls are still observed but summed nowhere.
_CURRENT: Final[ContextVar[StoreTime | None]] = ContextVar("store_time", default=None)


def start_request() -> StoreTime:
    """Begin summing store time for the request running in this task (context)."""
    spent = StoreTime()
    _CURRENT.set(spent)
    return spent


class TimedStore:
    """Delegates every call to `store`, adding its wall time to the request's StoreTime.

    The time is what the request waited: queueing for the writer thread or a pool connection
    included, since that is what a slow request's db_ms must explain.
    """

    def __init__(self, store: Store, observe: Observer | None = None) -> None:
        self.store = store
        self._observe = observe

    async def _timed(self, op: str, call: Awaitable[T]) -> T:
        started = time.perf_counter()
        ok = False
        try:
            result = await call
            ok = True
            return result
        finally:
            elapsed = time.perf_counter() - started
            spent = _CURRENT.get()
            if spent is not None:
                spent.seconds += elapsed
            if self._observe is not None:
                self._observe(op, elapsed, ok)

    async def open(self) -> None:
        """Open the wrapped store (not timed: no request waits on it)."""
        await self.store.open()

    async def close(self) -> None:
        """Close the wrapped store."""
        await self.store.close()

    # The calls below hand back _timed's coroutine itself: one coroutine per call, not two.

    def create(self, task_id: str, task: Task) -> Coroutine[Any, Any, None]:
        """Timed Store.create."""
        return self._timed("create", self.store.create(task_id, task))

    def get(self, task_id: str) -> Coroutine[Any, Any, Versioned | None]:
        """Timed Store.get."""
        return self._timed("get", self.store.get(task_id))

    def replace(
        self, task_id: str, task: Task, expected: Set[int] | None = None
    ) -> Coroutine[Any, Any, int | None]:
        """Timed Store.replace."""
        return self._timed("replace", self.store.replace(task_id, task, expected))

    def delete(self, task_id: str, expected: Set[int] | None = None) -> Coroutine[Any, Any, bool]:
        """Timed Store.delete."""
        return self._timed("delete", self.store.delete(task_id, expected))

    def list(
        self, after: str | None = None, limit: int | None = None
    ) -> Coroutine[Any, Any, list[tuple[str, Task]]]:
        """Timed Store.list."""
        return self._timed("list", self.store.list(after, limit))
