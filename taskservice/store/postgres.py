"""A shared store on PostgreSQL through asyncpg: pooled connections, prepared statements."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Set
from contextlib import asynccontextmanager
from typing import Any, Final

import asyncpg

from taskservice.datamodel import Task
from taskservice.errors import StoreError, ValidationError, VersionMismatch
from taskservice.store import postgres_sql as sql
from taskservice.store.postgres_url import PostgresUrl
from taskservice.store.protocol import Versioned

# How long one statement may run before the request gets a 503 rather than waiting on: a server
# that stopped answering (not one that closed the connection, which fails at once).
COMMAND_TIMEOUT_S: Final = 30.0
# How long close() lets requests still holding a connection finish before cutting them off.
CLOSE_TIMEOUT_S: Final = 5.0
# Errors that mean the server cannot serve right now, rather than that a request was wrong.
_UNAVAILABLE: Final = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)
# Characters the database cannot hold: a NUL anywhere, or, in a database whose encoding is not
# UTF-8, a character that encoding lacks.
_UNSTORABLE: Final = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
)


class PostgresStore:
    """Tasks in one PostgreSQL table, shared by every process pointed at the same database.

    Connections come from an asyncpg pool (`min_size` to `max_size`); a connection the server
    closed is replaced on its next use, so the store recovers by itself once the server is back.
    Statements are prepared: asyncpg keeps a cache per connection, so each constant statement in
    postgres_sql.py is parsed and planned once per connection, then only bound and executed.
    Every write is one statement in its own implicit transaction, which is committed before the
    statement returns (with the server's default synchronous_commit=on, flushed to its WAL).
    """

    def __init__(self, url: PostgresUrl) -> None:
        self.url = url
        self._pool: asyncpg.Pool[asyncpg.Record] | None = None

    def __repr__(self) -> str:
        return f"PostgresStore({self.url.shown!r})"

    async def open(self) -> None:
        """Connect the pool and create the schema if it is missing; StoreError if unusable."""
        if self._pool is not None:
            raise StoreError(f"postgresql store {self.url.shown} is open already")
        try:
            pool = await asyncpg.create_pool(
                self.url.dsn,
                min_size=self.url.min_size,
                max_size=self.url.max_size,
                timeout=self.url.connect_timeout_s,
                command_timeout=COMMAND_TIMEOUT_S,
            )
        except (*_UNAVAILABLE, ValueError) as e:
            raise StoreError(f"cannot open postgresql store {self.url.shown}: {_why(e)}") from e
        try:
            async with pool.acquire() as conn, conn.transaction():
                # Several workers starting at once take turns; the second finds the table made.
                await conn.execute("SELECT pg_advisory_xact_lock($1)", sql.SCHEMA_LOCK_KEY)
                await conn.execute(sql.SCHEMA)
        except _UNAVAILABLE as e:
            await pool.close()
            raise StoreError(f"cannot open postgresql store {self.url.shown}: {_why(e)}") from e
        self._pool = pool

    async def close(self) -> None:
        """Close the pool: requests still using a connection get CLOSE_TIMEOUT_S to finish."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), CLOSE_TIMEOUT_S)
        except TimeoutError:
            pool.terminate()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.pool.PoolConnectionProxy[Any]]:
        """A pooled connection; the driver's and the network's errors become StoreError."""
        if self._pool is None:
            raise StoreError("postgresql store is not open")
        try:
            async with self._pool.acquire() as conn:
                yield conn
        except _UNSTORABLE as e:
            raise ValidationError(f"text the database cannot store: {e}") from e
        except asyncpg.UniqueViolationError as e:
            raise StoreError(f"postgresql store {self.url.shown}: {e}") from e
        except _UNAVAILABLE as e:
            raise StoreError(f"postgresql store {self.url.shown}: {_why(e)}") from e

    async def create(self, task_id: str, task: Task) -> None:
        """Insert a new task at version 1; an id that exists already is a StoreError."""
        values = sql.task_values(task)
        async with self._connection() as conn:
            await conn.execute(sql.INSERT, task_id, *values)

    async def get(self, task_id: str) -> Versioned | None:
        """The task with this id and its version, or None."""
        async with self._connection() as conn:
            row = await conn.fetchrow(sql.SELECT_ONE, task_id)
        return None if row is None else Versioned(sql.row_to_task(row), row["version"])

    async def replace(
        self, task_id: str, task: Task, expected: Set[int] | None = None
    ) -> int | None:
        """Overwrite an existing task; its new version, or None if there is no such id."""
        values = sql.task_values(task)
        versions = None if expected is None else sorted(expected)
        async with self._connection() as conn:
            row = await conn.fetchrow(sql.UPDATE, *values, task_id, versions)
        assert row is not None  # the statement's outer SELECT always yields one row
        version, existed = row
        if version is None and existed:
            raise VersionMismatch(task_id)
        return None if version is None else int(version)

    async def delete(self, task_id: str, expected: Set[int] | None = None) -> bool:
        """Remove a task; False if there is no such id."""
        versions = None if expected is None else sorted(expected)
        async with self._connection() as conn:
            row = await conn.fetchrow(sql.DELETE, task_id, versions)
        assert row is not None
        deleted, existed = row
        if not deleted and existed:
            raise VersionMismatch(task_id)
        return bool(deleted)

    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        """Up to `limit` tasks (None: all) whose ids sort after `after`, in id order."""
        async with self._connection() as conn:
            rows = await conn.fetch(sql.SELECT_PAGE, "" if after is None else after, limit)
        return [(row["id"], sql.row_to_task(row, 1)) for row in rows]


def _why(error: BaseException) -> str:
    """One line on why the server could not be used, for a log line or the start-up error."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the server running, and listening there?)"
    if isinstance(error, TimeoutError):
        return "no answer from the server in time"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = " ".join(str(error).split())  # asyncpg's messages can run over several lines
    return text or type(error).__name__
