"""The embedded default store: stdlib sqlite3 in WAL mode, writes group-committed on one thread."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import sqlite3
from collections.abc import Callable, Set
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final, TypeVar

from taskservice.datamodel import Task
from taskservice.errors import StoreError
from taskservice.store import sqlite_sql as sql
from taskservice.store.protocol import Versioned
from taskservice.store.sqlite_schema import migrate
from taskservice.store.sqlite_writer import BUSY_TIMEOUT_MS, SqliteWriter

T = TypeVar("T")
SYNCHRONOUS_MODES: Final = ("OFF", "NORMAL", "FULL", "EXTRA")


class SqliteStore:
    """A writer thread that commits writes in groups, and reads on the event loop's thread from a
    connection of their own, so reads never wait behind a commit's fsync; a read that SQLite
    would make wait goes to a reader thread instead.

    A write returns once its transaction is committed (and with synchronous=FULL, the default,
    fsynced to the WAL).
    """

    def __init__(
        self, path: Path, synchronous: str = "FULL", busy_timeout_ms: int = BUSY_TIMEOUT_MS
    ) -> None:
        if synchronous.upper() not in SYNCHRONOUS_MODES:
            raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS_MODES)}")
        self.path = path
        self.synchronous = synchronous.upper()
        self.busy_timeout_ms = busy_timeout_ms  # how long a write waits for another's lock
        self._opened = False
        self._writer: SqliteWriter | None = None
        self._reader: sqlite3.Connection | None = None
        self._inline: sqlite3.Connection | None = None  # used on the event loop's thread only
        self._read_executor: ThreadPoolExecutor | None = None

    async def _call(self, fn: Callable[[sqlite3.Connection], T], size: int = 0) -> T:
        """Run fn, a write storing about `size` bytes, on the write connection in a batch."""
        if self._writer is None:
            raise StoreError("sqlite store is not open")
        try:
            return await self._writer.submit(functools.partial(self._run, fn), size)
        except sqlite3.Error as e:
            raise StoreError(f"sqlite store {self.path}: {e}") from e

    @staticmethod
    def _run(fn: Callable[[sqlite3.Connection], T], conn: sqlite3.Connection) -> T:
        # The first frame of a write under its request's route tag, so a profile files it there.
        return fn(conn)

    async def _read(self, statement: str, params: tuple[object, ...]) -> list[Any]:
        """All rows of a query: inline on the loop, or on the reader thread if SQLite is busy."""
        # A point read or a page takes microseconds, less than the hop to a thread and back (see
        # docs/performance.md). In WAL mode a reader never waits for the writer; the inline
        # connection waits for nothing at all (busy_timeout 0), and anything that would make it
        # wait (another process holding the file exclusively) sends the read to the thread.
        if self._inline is None:
            raise StoreError("sqlite store is not open")
        try:
            return self._inline.execute(statement, params).fetchall()
        except sqlite3.OperationalError as e:
            if not sql.is_busy(e):
                raise StoreError(f"sqlite store {self.path}: {e}") from e
        except sqlite3.Error as e:
            raise StoreError(f"sqlite store {self.path}: {e}") from e
        return await self._read_on_thread(statement, params)

    async def _read_on_thread(self, statement: str, params: tuple[object, ...]) -> list[Any]:
        if self._read_executor is None:
            raise StoreError("sqlite store is not open")
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # so the read counts under the request's route
        try:
            return await loop.run_in_executor(
                self._read_executor, context.run, self._fetch, statement, params
            )
        except sqlite3.Error as e:
            raise StoreError(f"sqlite store {self.path}: {e}") from e

    def _fetch(self, statement: str, params: tuple[object, ...]) -> list[Any]:
        if self._reader is None:
            raise StoreError("sqlite store is closed")
        # fetchall, even for one row: the statement runs to its end and drops its snapshot.
        return self._reader.execute(statement, params).fetchall()

    async def open(self) -> None:
        """Create the folder, the file and the schema as needed; StoreError if unusable."""
        if self._opened:
            raise StoreError(f"sqlite store {self.path} is open already")
        self._opened = True
        try:
            writer = await asyncio.to_thread(self._connect_writer)
            try:
                self._reader = await asyncio.to_thread(self._connect_reader, 5000)
                self._inline = await asyncio.to_thread(self._connect_reader, 0)
            except BaseException:
                writer.close()
                if self._reader is not None:
                    self._reader.close()
                    self._reader = None
                raise
        except (OSError, sqlite3.Error) as e:
            self._opened = False
            raise StoreError(f"cannot open sqlite store {self.path}: {e}") from e
        self._read_executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reader")
        self._writer = SqliteWriter(writer, f"sqlite store {self.path}", self.busy_timeout_ms)

    def _connect_writer(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # mkdir's own words ("File exists") would mislead
            raise NotADirectoryError(f"{self.path.parent} is not a folder") from None
        # Made here, used and closed by the writer thread only.
        conn = self._connect()
        try:
            (mode,) = conn.execute("PRAGMA journal_mode=WAL").fetchone()
            if mode != "wal":
                raise sqlite3.OperationalError(f"cannot switch to WAL mode (got {mode!r})")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _connect_reader(self, busy_timeout_ms: int) -> sqlite3.Connection:
        conn = self._connect()
        try:
            conn.execute("PRAGMA query_only=ON")
            # In WAL mode a reader waits for no writer; only another process holding the file
            # exclusively makes it wait.
            conn.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(
            self.path,
            isolation_level=None,
            check_same_thread=False,
            cached_statements=sql.CACHED_STATEMENTS,
        )

    async def close(self) -> None:
        """Let queued writes commit, then close both connections and stop the writer thread."""
        writer, self._writer = self._writer, None
        executor, self._read_executor = self._read_executor, None
        inline, self._inline = self._inline, None
        if inline is not None:
            inline.close()
        if executor is not None and self._reader is not None:
            # After the reads queued before it; not the last connection, so no checkpoint.
            await asyncio.get_running_loop().run_in_executor(executor, self._reader.close)
        self._reader = None
        if executor is not None:
            executor.shutdown(wait=False)  # idle now: it exits without the loop joining it
        if writer is not None:
            await writer.stop()  # the last connection: its close checkpoints, on its thread
        self._opened = False

    async def create(self, task_id: str, task: Task) -> None:
        """Insert a new task; an id that exists already is a StoreError."""
        row = (task_id, task.title, task.description, task.priority, task.completed, task.due_date)
        await self._call(lambda c: c.execute(sql.INSERT, row), sql.size_of(task))

    async def get(self, task_id: str) -> Versioned | None:
        """The task with this id and its version, or None."""
        for row in await self._read(sql.SELECT_ONE, (task_id,)):
            return Versioned(sql.row_to_task(row[:5]), row[5])
        return None

    async def replace(
        self, task_id: str, task: Task, expected: Set[int] | None = None
    ) -> int | None:
        """Overwrite an existing task; its new version, or None if there is no such id."""
        values = (task.title, task.description, task.priority, task.completed, task.due_date)
        statement, versions = sql.only_if(sql.UPDATE, expected)

        def update(conn: sqlite3.Connection) -> int | None:
            rows = conn.execute(f"{statement} RETURNING version", (*values, task_id, *versions))
            for (version,) in rows.fetchall():
                return int(version)
            sql.raise_if_exists(conn, task_id)
            return None

        return await self._call(update, sql.size_of(task))

    async def delete(self, task_id: str, expected: Set[int] | None = None) -> bool:
        """Remove a task; False if there is no such id."""
        statement, versions = sql.only_if(sql.DELETE, expected)

        def delete(conn: sqlite3.Connection) -> bool:
            if conn.execute(statement, (task_id, *versions)).rowcount == 1:
                return True
            sql.raise_if_exists(conn, task_id)
            return False

        return await self._call(delete)

    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        """Up to `limit` tasks (None: all) whose ids sort after `after`, in id order."""
        # '' sorts before every id; a negative LIMIT means no limit in SQLite.
        params = ("" if after is None else after, -1 if limit is None else limit)
        rows = await self._read(sql.SELECT_PAGE, params)
        # row_to_task inlined: a slice and a call per row cost a page of ten about 2% of its time.
        return [(i, Task(t, d, p, bool(c), due)) for i, t, d, p, c, due in rows]
