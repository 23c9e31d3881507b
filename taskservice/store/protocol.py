"""The one async Store protocol that every engine implements."""

from __future__ import annotations

from typing import Protocol

from taskservice.datamodel import Task


class Store(Protocol):
    """Durable or not, a store maps task ids to tasks; every method may raise StoreError."""

    async def open(self) -> None:
        """Acquire resources (files, connections, threads); call once before use."""

    async def close(self) -> None:
        """Release resources; the store is unusable afterwards."""

    async def create(self, task_id: str, task: Task) -> None:
        """Store a new task; returns only once the write is committed."""

    async def get(self, task_id: str) -> Task | None:
        """The task with this id, or None."""

    async def replace(self, task_id: str, task: Task) -> bool:
        """Overwrite an existing task; False if there is no such id."""

    async def delete(self, task_id: str) -> bool:
        """Remove a task; False if there is no such id."""

    async def list(self) -> list[tuple[str, Task]]:
        """Every task with its id, in id order."""
