"""The one async Store protocol that every engine implements."""

from __future__ import annotations

from collections.abc import Set
from typing import NamedTuple, Protocol

from taskservice.datamodel import Task


class Versioned(NamedTuple):
    """A stored task and its version: 1 when created, one more on every replace."""

    task: Task
    version: int


class Store(Protocol):
    """Durable or not, a store maps task ids to versioned tasks; any method may raise StoreError.

    `expected` on replace and delete is a precondition: None means unconditional, otherwise the
    write happens only if the task's current version is in the set, checked and written as one
    atomic step, so two clients racing with the same version cannot both win. A task that exists
    in another version raises VersionMismatch.
    """

    async def open(self) -> None:
        """Acquire resources (files, connections, threads); call once before use."""

    async def close(self) -> None:
        """Release resources; the store is unusable afterwards."""

    async def create(self, task_id: str, task: Task) -> None:
        """Store a new task at version 1; returns only once the write is committed."""

    async def get(self, task_id: str) -> Versioned | None:
        """The task with this id and its version, or None."""

    async def replace(
        self, task_id: str, task: Task, expected: Set[int] | None = None
    ) -> int | None:
        """Overwrite an existing task; its new version, or None if there is no such id."""

    async def delete(self, task_id: str, expected: Set[int] | None = None) -> bool:
        """Remove a task; False if there is no such id."""

    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        """Up to `limit` tasks (None: all) with ids after `after` (None: from the first), by id."""
