"""The postgresql store's schema and statements, and the row <-> Task conversions around them.

Every statement is a constant string, so asyncpg's per-connection statement cache prepares each
one once per connection (as a named server-side prepared statement) and reuses it after that.
"""

from __future__ import annotations

from typing import Any, Final

from taskservice.datamodel import NUMBER_MAX, NUMBER_MIN, Task
from taskservice.errors import ValidationError

# Any constant shared by every taskservice process: pg_advisory_xact_lock(key) serialises their
# schema set-up, as CREATE TABLE IF NOT EXISTS alone can still fail when two run at once.
SCHEMA_LOCK_KEY: Final = 0x7461736B73  # "tasks" in ASCII

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS tasks (
    -- COLLATE "C": ids and the `after` of a page compare by code point, as Python and SQLite
    -- compare them, whatever the database's locale.
    id          text COLLATE "C" PRIMARY KEY,
    title       text NOT NULL,
    description text,
    priority    text NOT NULL,
    completed   boolean NOT NULL,
    -- due_date is a JSON number that must read back with its type: a whole number in a bigint
    -- (a double would round 2**63 - 1), a fraction in a double (which keeps -0.0); never both.
    due_int     bigint,
    due_float   double precision,
    version     bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (due_int IS NULL OR due_float IS NULL)
)
"""

INSERT: Final = (
    "INSERT INTO tasks (id, title, description, priority, completed, due_int, due_float)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
SELECT_ONE: Final = (
    "SELECT title, description, priority, completed, due_int, due_float, version"
    " FROM tasks WHERE id = $1"
)
# Keyset pagination: the primary key index finds the first row, so a page never scans the rest.
# A NULL limit is no limit.
SELECT_PAGE: Final = (
    "SELECT id, title, description, priority, completed, due_int, due_float"
    " FROM tasks WHERE id > $1 ORDER BY id LIMIT $2"
)

# A write with a version precondition is one statement: the UPDATE (or DELETE) checks the version
# in its WHERE clause, so no other write can come between the check and the write, and the same
# statement says whether the task was there at all (the EXISTS sees the snapshot from before the
# write), which tells a version mismatch from a missing task without a second round trip.
# $8 (or $2) is the set of versions the client named; NULL means unconditional.
UPDATE: Final = """
WITH changed AS (
    UPDATE tasks SET title = $1, description = $2, priority = $3, completed = $4,
        due_int = $5, due_float = $6, version = version + 1
    WHERE id = $7 AND ($8::bigint[] IS NULL OR version = ANY($8::bigint[]))
    RETURNING version
)
SELECT (SELECT version FROM changed), EXISTS (SELECT 1 FROM tasks WHERE id = $7)
"""
DELETE: Final = """
WITH gone AS (
    DELETE FROM tasks WHERE id = $1 AND ($2::bigint[] IS NULL OR version = ANY($2::bigint[]))
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM gone), EXISTS (SELECT 1 FROM tasks WHERE id = $1)
"""

TaskValues = tuple[str, str | None, str, bool, int | None, float | None]


def task_values(task: Task) -> TaskValues:
    """The six task columns of a row, checked for what PostgreSQL cannot store."""
    # PostgreSQL's text type cannot hold U+0000 at all: refuse it before anything is sent,
    # naming every field that holds one, as the API's own validation does.
    errors = [
        f"{field}: contains a NUL character (\\u0000), which the postgresql store cannot hold"
        for field, text in (("title", task.title), ("description", task.description))
        if text is not None and "\x00" in text
    ]
    if errors:
        raise ValidationError("; ".join(errors))
    due = task.due_date
    if isinstance(due, int) and not NUMBER_MIN <= due <= NUMBER_MAX:
        # The API refuses these already (datamodel.py); say the same here rather than fail later.
        raise ValidationError("due_date: integer out of the 64-bit range")
    due_int = due if isinstance(due, int) else None
    due_float = float(due) if isinstance(due, float) else None
    return task.title, task.description, task.priority, task.completed, due_int, due_float


def row_to_task(row: Any, start: int = 0) -> Task:
    """A Task from the six task columns of a row, starting at column `start`."""
    title, description, priority, completed, due_int, due_float = tuple(row)[start : start + 6]
    due_date = due_int if due_int is not None else due_float
    return Task(title, description, priority, completed, due_date)
