"""TodoListService: the CRUD rules over a Store, independent of any web framework."""

from __future__ import annotations

from collections.abc import Set

from taskservice.datamodel import Task
from taskservice.errors import TaskNotFound
from taskservice.ids import is_task_id, new_task_id
from taskservice.paging import Page, PageRequest
from taskservice.store import Store, Versioned

__all__ = ["TodoListService", "is_task_id", "new_task_id"]


class TodoListService:
    """Create, read, replace, delete and list tasks; raises TaskNotFound for unknown ids."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def create_task(self, task: Task) -> str:
        """Store a new task and return its id once the store has committed it."""
        task_id = new_task_id()
        await self.store.create(task_id, task)
        return task_id

    async def get_task(self, task_id: str) -> Versioned:
        """The task with this id, and its version."""
        found = await self.store.get(task_id) if is_task_id(task_id) else None
        if found is None:
            raise TaskNotFound(task_id)
        return found

    async def replace_task(self, task_id: str, task: Task, expected: Set[int] | None = None) -> int:
        """Replace the whole task with this id, if its version is expected; its new version."""
        version = await self.store.replace(task_id, task, expected) if is_task_id(task_id) else None
        if version is None:
            raise TaskNotFound(task_id)
        return version

    async def delete_task(self, task_id: str, expected: Set[int] | None = None) -> None:
        """Delete the task with this id, if its version is expected."""
        if not (is_task_id(task_id) and await self.store.delete(task_id, expected)):
            raise TaskNotFound(task_id)

    async def list_tasks(self, page: PageRequest | None = None) -> Page:
        """One page of tasks by id, in id (creation) order; the first 100 by default."""
        page = page or PageRequest()
        # One more than asked for says whether another page follows, without counting them all.
        rows = await self.store.list(page.after, page.limit + 1)
        shown = rows[: page.limit]
        more = len(rows) > page.limit
        return Page(dict(shown), shown[-1][0] if more else None)
