"""The embedded default store: stdlib sqlite3 in WAL mode, on one dedicated thread."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import Callable, Set
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final, TypeVar

from taskservice.datamodel import Task
from taskservice.errors import StoreError, VersionMismatch
from taskservice.store.protocol import Versioned
from taskservice.store.sqlite_schema import migrate

T = TypeVar("T")
SYNCHRONOUS_MODES: Final = ("OFF", "NORMAL", "FULL", "EXTRA")
_INSERT: Final = (
    "INSERT INTO tasks (id, title, description, priority, completed, due_date)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_SELECT_ONE: Final = (
    "SELECT title, description, priority, completed, due_date, version FROM tasks WHERE id = ?"
)
# Keyset pagination: the primary key index finds the first row, so a page never scans the rest.
_SELECT_PAGE: Final = (
    "SELECT id, title, description, priority, completed, due_date FROM tasks"
    " WHERE id > ? ORDER BY id LIMIT ?"
)
_EXISTS: Final = "SELECT 1 FROM tasks WHERE id = ?"
_UPDATE: Final = (
    "UPDATE tasks SET title = ?, description = ?, priority = ?, completed = ?, due_date = ?,"
    " version = version + 1 WHERE id = ?"
)
_DELETE: Final = "DELETE FROM tasks WHERE id = ?"


def _only_if(sql: str, expected: Set[int] | None) -> tuple[str, tuple[int, ...]]:
    """The statement with the version precondition in its WHERE clause, and its parameters.

    The check and the write are then one statement, so no other write can come between them.
    """
    if expected is None:
        return sql, ()
    versions = tuple(sorted(expected))
    return f"{sql} AND version IN ({', '.join('?' * len(versions))})", versions


def _raise_if_exists(conn: sqlite3.Connection, task_id: str) -> None:
    """After a conditional write that changed nothing, say why: VersionMismatch if the task is
    there (in another version), nothing if it is missing. The write itself was already refused
    atomically; this read only explains it."""
    if conn.execute(_EXISTS, (task_id,)).fetchone() is not None:
        raise VersionMismatch(task_id)


def _row_to_task(row: tuple[str, str | None, str, int, int | float | None]) -> Task:
    title, description, priority, completed, due_date = row
    # SQLite has no boolean type: hand back a real bool so a GET body round-trips through PUT.
    return Task(title, description, priority, bool(completed), due_date)


class SqliteStore:
    """One long-lived connection, used only from one worker thread, so the event loop never blocks.

    Each write is its own autocommit transaction: when a method returns, the change is committed
    (and with synchronous=FULL, the default, fsynced to the WAL).
    """

    def __init__(self, path: Path, synchronous: str = "FULL") -> None:
        if synchronous.upper() not in SYNCHRONOUS_MODES:
            raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS_MODES)}")
        self.path = path
        self.synchronous = synchronous.upper()
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None

    async def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._executor is None:
            raise StoreError("sqlite store is not open")
        loop = asyncio.get_running_loop()
        # Run in the caller's context, as asyncio.to_thread does: the store thread's work then
        # counts under the request's route when profiling.
        context = contextvars.copy_context()
        try:
            return await loop.run_in_executor(self._executor, context.run, self._run, fn)
        except sqlite3.Error as e:
            raise StoreError(f"sqlite store {self.path}: {e}") from e

    def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            raise StoreError("sqlite store is closed")
        return fn(self._conn)

    async def open(self) -> None:
        """Create the folder, the file and the schema as needed; StoreError if unusable."""
        if self._executor is not None:
            raise StoreError(f"sqlite store {self.path} is open already")
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")
        loop = asyncio.get_running_loop()
        try:
            self._conn = await loop.run_in_executor(self._executor, self._connect)
        except (OSError, sqlite3.Error) as e:
            self._executor.shutdown(wait=False)
            self._executor = None
            raise StoreError(f"cannot open sqlite store {self.path}: {e}") from e

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # mkdir's own words ("File exists") would mislead
            raise NotADirectoryError(f"{self.path.parent} is not a folder") from None
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            (mode,) = conn.execute("PRAGMA journal_mode=WAL").fetchone()
            if mode != "wal":
                raise sqlite3.OperationalError(f"cannot switch to WAL mode (got {mode!r})")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA busy_timeout=5000")
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    async def close(self) -> None:
        """Close the connection on its own thread, then stop the thread."""
        if self._executor is None:
            return
        conn, self._conn = self._conn, None
        if conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, conn.close)
        # The thread is idle now: let it exit on its own rather than block the loop joining it.
        self._executor.shutdown(wait=False)
        self._executor = None

    async def create(self, task_id: str, task: Task) -> None:
        """Insert a new task; an id that exists already is a StoreError."""
        row = (task_id, task.title, task.description, task.priority, task.completed, task.due_date)
        await self._call(lambda c: c.execute(_INSERT, row))

    async def get(self, task_id: str) -> Versioned | None:
        """The task with this id and its version, or None."""
        row = await self._call(lambda c: c.execute(_SELECT_ONE, (task_id,)).fetchone())
        return None if row is None else Versioned(_row_to_task(row[:5]), row[5])

    async def replace(
        self, task_id: str, task: Task, expected: Set[int] | None = None
    ) -> int | None:
        """Overwrite an existing task; its new version, or None if there is no such id."""
        values = (task.title, task.description, task.priority, task.completed, task.due_date)
        sql, versions = _only_if(_UPDATE, expected)

        def update(conn: sqlite3.Connection) -> int | None:
            # fetchall, not fetchone: the statement must run to its end for autocommit to commit.
            rows = conn.execute(f"{sql} RETURNING version", (*values, task_id, *versions))
            for (version,) in rows.fetchall():
                return int(version)
            _raise_if_exists(conn, task_id)
            return None

        return await self._call(update)

    async def delete(self, task_id: str, expected: Set[int] | None = None) -> bool:
        """Remove a task; False if there is no such id."""
        sql, versions = _only_if(_DELETE, expected)

        def delete(conn: sqlite3.Connection) -> bool:
            if conn.execute(sql, (task_id, *versions)).rowcount == 1:
                return True
            _raise_if_exists(conn, task_id)
            return False

        return await self._call(delete)

    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        """Up to `limit` tasks (None: all) whose ids sort after `after`, in id order."""
        # '' sorts before every id; a negative LIMIT means no limit in SQLite.
        params = ("" if after is None else after, -1 if limit is None else limit)
        rows = await self._call(lambda c: c.execute(_SELECT_PAGE, params).fetchall())
        return [(row[0], _row_to_task(row[1:])) for row in rows]
