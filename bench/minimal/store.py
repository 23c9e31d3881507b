"""The minimal app's store: the service's sqlite schema, reads inline, writes group-committed."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from taskservice.store.sqlite_schema import migrate
from taskservice.store.sqlite_sql import INSERT, SELECT_ONE, SELECT_PAGE


def _task(title: str, description: Any, priority: str, completed: int, due: Any) -> dict[str, Any]:
    """A row's task as the service's JSON shows it: fields without a value left out."""
    task: dict[str, Any] = {"title": title}
    if description is not None:
        task["description"] = description
    task["priority"] = priority
    task["completed"] = bool(completed)
    if due is not None:
        task["due_date"] = due
    return task


class RowRefused(ValueError):
    """SQLite refused to store a row (its request gets a 400); the rest of its group is stored."""


class Closing(RuntimeError):
    """The app is stopping: no new write is taken (its request gets a 503)."""


class Store:
    """Reads on the loop from a connection of their own; writes group-committed on one thread."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)  # as the service's store does
        self._writer = self._connect(path)
        self._writer.execute("PRAGMA journal_mode=WAL")
        self._writer.execute("PRAGMA synchronous=FULL")
        migrate(self._writer)
        self._reader = self._connect(path)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="minimal-writer")
        self._pending: list[tuple[tuple[object, ...], asyncio.Future[None]]] = []
        self.closing = False  # set at SIGTERM: writes handed in from then on are refused
        self._committer: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()  # clear while a task commits groups until none is pending
        self._idle.set()

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def get(self, task_id: str) -> dict[str, Any] | None:
        """The task with this id, or None."""
        for row in self._reader.execute(SELECT_ONE, (task_id,)).fetchall():
            return _task(*row[:5])  # the service's statement: the version comes last
        return None

    def page(self, after: str, limit: int) -> list[tuple[str, dict[str, Any]]]:
        """Up to `limit` tasks whose ids sort after `after`, in id order."""
        rows = self._reader.execute(SELECT_PAGE, (after, limit)).fetchall()
        return [(row[0], _task(*row[1:])) for row in rows]

    async def create(self, row: tuple[object, ...]) -> None:
        """Insert a row; returns once its group's COMMIT is on disk. RowRefused if SQLite
        refuses this row (the rest of its group is stored)."""
        if self.closing:
            raise Closing("the app is stopping")
        done = asyncio.get_running_loop().create_future()
        self._pending.append((row, done))
        if self._idle.is_set():
            self._idle.clear()
            # Kept: the loop holds only a weak reference to a task.
            self._committer = asyncio.get_running_loop().create_task(self._commit_groups())
        await done

    async def idle(self) -> None:
        """Wait until every write handed in so far is committed and its future resolved."""
        while not self._idle.is_set():  # a write handed in meanwhile may start another group
            await self._idle.wait()

    async def _commit_groups(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                group, self._pending = self._pending, []
                try:
                    refused = await loop.run_in_executor(
                        self._thread, self._insert, [r for r, _ in group]
                    )
                except Exception as e:  # the COMMIT itself failed: nothing of the group is stored
                    refused = [e] * len(group)
                for (_, done), error in zip(group, refused, strict=True):
                    if done.done():
                        continue  # its request was cancelled
                    if error is None:
                        done.set_result(None)
                    else:
                        done.set_exception(error)
        finally:
            self._idle.set()

    def _insert(self, rows: list[tuple[object, ...]]) -> list[Exception | None]:
        # Each row in a savepoint of its own, as the service's writer does: a row SQLite refuses
        # (a NOT NULL, an integer too large, text that is not UTF-8) fails alone.
        refused: list[Exception | None] = []
        conn = self._writer
        conn.execute("BEGIN")
        try:
            for row in rows:
                conn.execute("SAVEPOINT row")
                try:
                    conn.execute(INSERT, row)
                except (sqlite3.Error, OverflowError, UnicodeError) as e:
                    conn.execute("ROLLBACK TO row")
                    refused.append(RowRefused(str(e)))
                else:
                    refused.append(None)
                conn.execute("RELEASE row")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a failed COMMIT may have rolled back already
                conn.execute("ROLLBACK")
            raise
        return refused

    def close(self) -> None:
        """Close both connections and the thread (after `idle()`, so no commit is cut short)."""
        self._thread.shutdown()
        self._reader.close()
        self._writer.close()
