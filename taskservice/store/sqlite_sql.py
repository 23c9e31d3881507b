"""The sqlite store's statements, and the row <-> Task conversions around them.

Every hot statement is a constant string (or, for a version precondition, one of a few equal
strings), so sqlite3's per-connection statement cache prepares each only once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Set
from typing import Final

from taskservice.datamodel import Task
from taskservice.errors import VersionMismatch

# Distinct statements a connection sees: these, the versioned variants of UPDATE and DELETE (one
# per size of an If-Match set) and the writer's transaction control. Well under this bound.
CACHED_STATEMENTS: Final = 128

INSERT: Final = (
    "INSERT INTO tasks (id, title, description, priority, completed, due_date)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
SELECT_ONE: Final = (
    "SELECT title, description, priority, completed, due_date, version FROM tasks WHERE id = ?"
)
# Keyset pagination: the primary key index finds the first row, so a page never scans the rest.
SELECT_PAGE: Final = (
    "SELECT id, title, description, priority, completed, due_date FROM tasks"
    " WHERE id > ? ORDER BY id LIMIT ?"
)
_EXISTS: Final = "SELECT 1 FROM tasks WHERE id = ?"
UPDATE: Final = (
    "UPDATE tasks SET title = ?, description = ?, priority = ?, completed = ?, due_date = ?,"
    " version = version + 1 WHERE id = ?"
)
DELETE: Final = "DELETE FROM tasks WHERE id = ?"

Row = tuple[str, str | None, str, int, int | float | None]


def only_if(sql: str, expected: Set[int] | None) -> tuple[str, tuple[int, ...]]:
    """The statement with the version precondition in its WHERE clause, and its parameters.

    The check and the write are then one statement, so no other write can come between them.
    """
    if expected is None:
        return sql, ()
    versions = tuple(sorted(expected))
    return f"{sql} AND version IN ({', '.join('?' * len(versions))})", versions


def raise_if_exists(conn: sqlite3.Connection, task_id: str) -> None:
    """After a conditional write that changed nothing, say why: VersionMismatch if the task is
    there (in another version), nothing if it is missing. The write itself was already refused
    atomically; this read only explains it."""
    if conn.execute(_EXISTS, (task_id,)).fetchone() is not None:
        raise VersionMismatch(task_id)


def is_busy(error: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock (BUSY or LOCKED).

    Errors the sqlite3 module raises itself (text that is not UTF-8) carry no code: not busy.
    """
    code: int = getattr(error, "sqlite_errorcode", 0)
    return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def size_of(task: Task) -> int:
    """About how many bytes a task's row takes (its text, as characters), for batch sizing."""
    return 64 + len(task.title) + len(task.description or "")


def row_to_task(row: Row) -> Task:
    """A Task from the five task columns of a row."""
    title, description, priority, completed, due_date = row
    # SQLite has no boolean type: hand back a real bool so a GET body round-trips through PUT.
    return Task(title, description, priority, bool(completed), due_date)
