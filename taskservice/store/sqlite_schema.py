"""The sqlite store's schema, as numbered migrations applied in one transaction at open."""

from __future__ import annotations

import sqlite3
from typing import Final

# PRAGMA user_version after each migration; index i upgrades a file from version i to i + 1.
_MIGRATIONS: Final = (
    # 1: the tasks table (IF NOT EXISTS: older code could stop between creating it and stamping
    # the version, leaving the table at version 0).
    """
    CREATE TABLE IF NOT EXISTS tasks (
        id          TEXT PRIMARY KEY NOT NULL,
        title       TEXT NOT NULL,
        description TEXT,
        priority    TEXT NOT NULL,
        completed   INTEGER NOT NULL CHECK (completed IN (0, 1)),
        due_date    ANY
    ) STRICT
    """,
    # 2: a version per task, for ETags and If-Match; tasks from before it start at 1.
    "ALTER TABLE tasks ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)",
)
SCHEMA_VERSION: Final = len(_MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file's schema up to SCHEMA_VERSION; return the version it had.

    One IMMEDIATE transaction: two processes opening the same old file cannot both migrate it,
    and a crash mid-way leaves the file as it was. A version newer than this code knows is an
    error, so an old server never writes to a file it does not understand.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        (found,) = conn.execute("PRAGMA user_version").fetchone()
        if not 0 <= found <= SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"unknown schema version {found}")
        for statement in _MIGRATIONS[found:]:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # some errors (a full disk) have rolled it back already
            conn.execute("ROLLBACK")
        raise
    return int(found)
