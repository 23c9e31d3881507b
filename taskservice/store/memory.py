"""A dict-backed store: the benchmark baseline; nothing survives a restart."""

from __future__ import annotations

from taskservice.datamodel import Task
from taskservice.errors import StoreError


class MemoryStore:
    """Keeps tasks in a dict on the event loop thread; every call completes without awaiting."""

    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}

    async def open(self) -> None:
        """Nothing to acquire."""

    async def close(self) -> None:
        """Drop every task."""
        self._tasks.clear()

    async def create(self, task_id: str, task: Task) -> None:
        """Store a new task; an id that exists already is an error."""
        if task_id in self._tasks:
            raise StoreError(f"task id {task_id!r} exists already")
        self._tasks[task_id] = task

    async def get(self, task_id: str) -> Task | None:
        """The task with this id, or None."""
        return self._tasks.get(task_id)

    async def replace(self, task_id: str, task: Task) -> bool:
        """Overwrite an existing task; False if there is no such id."""
        if task_id not in self._tasks:
            return False
        self._tasks[task_id] = task
        return True

    async def delete(self, task_id: str) -> bool:
        """Remove a task; False if there is no such id."""
        return self._tasks.pop(task_id, None) is not None

    async def list(self) -> list[tuple[str, Task]]:
        """Every task with its id, in id order."""
        return sorted(self._tasks.items(), key=_by_id)


def _by_id(item: tuple[str, Task]) -> str:
    return item[0]
