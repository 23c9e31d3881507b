"""A dict-backed store: the benchmark baseline; nothing survives a restart."""

from __future__ import annotations

import bisect
from collections.abc import Set

from taskservice.datamodel import Task
from taskservice.errors import StoreError, VersionMismatch
from taskservice.store.protocol import Versioned


class MemoryStore:
    """Keeps tasks in a dict on the event loop thread; every call completes without awaiting,
    so each check-and-write is atomic with respect to every other request."""

    def __init__(self) -> None:
        self._tasks: dict[str, Versioned] = {}
        # Ids kept sorted, so a page is a bisect and a slice rather than a sort of every task.
        self._ids: list[str] = []

    async def open(self) -> None:
        """Nothing to acquire."""

    async def close(self) -> None:
        """Drop every task."""
        self._tasks.clear()
        self._ids.clear()

    async def create(self, task_id: str, task: Task) -> None:
        """Store a new task at version 1; an id that exists already is an error."""
        if task_id in self._tasks:
            raise StoreError(f"task id {task_id!r} exists already")
        self._tasks[task_id] = Versioned(task, 1)
        bisect.insort(self._ids, task_id)  # new ids sort last, so this is an append

    async def get(self, task_id: str) -> Versioned | None:
        """The task with this id and its version, or None."""
        return self._tasks.get(task_id)

    async def replace(
        self, task_id: str, task: Task, expected: Set[int] | None = None
    ) -> int | None:
        """Overwrite an existing task; its new version, or None if there is no such id."""
        current = self._checked(task_id, expected)
        if current is None:
            return None
        self._tasks[task_id] = Versioned(task, current.version + 1)
        return current.version + 1

    async def delete(self, task_id: str, expected: Set[int] | None = None) -> bool:
        """Remove a task; False if there is no such id."""
        if self._checked(task_id, expected) is None:
            return False
        del self._tasks[task_id]
        del self._ids[bisect.bisect_left(self._ids, task_id)]
        return True

    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        """Up to `limit` tasks (None: all) whose ids sort after `after`, in id order."""
        start = 0 if after is None else bisect.bisect_right(self._ids, after)
        ids = self._ids[start:] if limit is None else self._ids[start : start + limit]
        return [(task_id, self._tasks[task_id].task) for task_id in ids]

    def _checked(self, task_id: str, expected: Set[int] | None) -> Versioned | None:
        current = self._tasks.get(task_id)
        if current is not None and expected is not None and current.version not in expected:
            raise VersionMismatch(task_id)
        return current
