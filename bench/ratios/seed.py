"""Fill a sqlite store file with tasks before its server starts, through the service's own store."""

from __future__ import annotations

import asyncio
from pathlib import Path

from taskservice.datamodel import Task
from taskservice.ids import new_task_id
from taskservice.store import make_store

BATCH = 500  # creates in flight at once: enough to keep the store's thread busy


async def _fill(url: str, count: int) -> list[str]:
    store = make_store(url)
    await store.open()
    ids: list[str] = []
    try:
        for start in range(0, count, BATCH):
            batch = [new_task_id() for _ in range(min(BATCH, count - start))]
            task = Task.from_api({"title": "Task1"})
            await asyncio.gather(*(store.create(task_id, task) for task_id in batch))
            ids += batch
    finally:
        await store.close()
    return ids


def seed(path: Path, count: int) -> list[str]:
    """Store `count` tasks titled Task1 in the sqlite file `path`; their ids, in creation order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Seeding is not measured: no fsync per task. The server opens the file with its own
    # (durable) setting, since synchronous is a property of a connection, not of the file.
    return asyncio.run(_fill(f"sqlite:///{path.resolve()}?synchronous=OFF", count))


def remove(path: Path) -> None:
    """Delete a sqlite file and its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
