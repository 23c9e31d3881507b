"""TodoListService: the CRUD rules over a Store, independent of any web framework."""

from __future__ import annotations

import os
import re
import time
from typing import Final

from taskservice.datamodel import Task
from taskservice.errors import TaskNotFound
from taskservice.store import Store

_TASK_ID: Final = re.compile(r"[0-9a-f]{32}")


def new_task_id() -> str:
    """A 32-hex-digit id: 48 bits of milliseconds then 80 random bits, so ids sort by creation."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


def is_task_id(text: str) -> bool:
    """Whether text has the shape of a task id (anything else cannot exist, so skip the store)."""
    return _TASK_ID.fullmatch(text) is not None


class TodoListService:
    """Create, read, replace, delete and list tasks; raises TaskNotFound for unknown ids."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def create_task(self, task: Task) -> str:
        """Store a new task and return its id once the store has committed it."""
        task_id = new_task_id()
        await self.store.create(task_id, task)
        return task_id

    async def get_task(self, task_id: str) -> Task:
        """The task with this id."""
        task = await self.store.get(task_id) if is_task_id(task_id) else None
        if task is None:
            raise TaskNotFound(task_id)
        return task

    async def replace_task(self, task_id: str, task: Task) -> None:
        """Replace the whole task with this id."""
        if not (is_task_id(task_id) and await self.store.replace(task_id, task)):
            raise TaskNotFound(task_id)

    async def delete_task(self, task_id: str) -> None:
        """Delete the task with this id."""
        if not (is_task_id(task_id) and await self.store.delete(task_id)):
            raise TaskNotFound(task_id)

    async def list_tasks(self) -> dict[str, Task]:
        """Every task by id, in id (creation) order."""
        return dict(await self.store.list())
