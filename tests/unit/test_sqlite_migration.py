"""The sqlite schema's migrations: a database from an older release keeps working."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from taskservice.datamodel import Task
from taskservice.errors import StoreError, VersionMismatch
from taskservice.service import new_task_id
from taskservice.store import SqliteStore, Versioned
from taskservice.store.sqlite_schema import SCHEMA_VERSION

# The schema issue 2 shipped, byte for byte, as its files hold it at user_version 1.
V1_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id          TEXT PRIMARY KEY NOT NULL,
    title       TEXT NOT NULL,
    description TEXT,
    priority    TEXT NOT NULL,
    completed   INTEGER NOT NULL CHECK (completed IN (0, 1)),
    due_date    ANY
) STRICT
"""


def make_v1_database(path: Path, rows: list[tuple[str, str, int | float | None]]) -> None:
    """A database as the issue-2 server left it: user_version 1, no version column."""
    with sqlite3.connect(path) as conn:
        conn.execute(V1_SCHEMA)
        conn.executemany(
            "INSERT INTO tasks VALUES (?, ?, NULL, 'none', 0, ?)",
            rows,
        )
        conn.execute("PRAGMA user_version = 1")
    conn.close()


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
    conn.close()
    return int(version)


def test_v1_database_is_migrated_and_its_tasks_start_at_version_1(
    runner: asyncio.Runner, tmp_path: Path
) -> None:
    path = tmp_path / "old.db"
    first, second = new_task_id(), new_task_id()
    make_v1_database(path, [(first, "from issue 2", 1735689600), (second, "another", None)])
    store = SqliteStore(path)
    runner.run(store.open())
    assert runner.run(store.get(first)) == Versioned(Task("from issue 2", due_date=1735689600), 1)
    assert [tid for tid, _ in runner.run(store.list())] == sorted([first, second])
    # Versions work on migrated rows as on new ones.
    with pytest.raises(VersionMismatch):
        runner.run(store.replace(first, Task("stale"), {2}))
    assert runner.run(store.replace(first, Task("edited"), {1})) == 2
    runner.run(store.close())
    assert user_version(path) == 2


def test_migrated_database_reopens_without_migrating_again(
    runner: asyncio.Runner, tmp_path: Path
) -> None:
    path = tmp_path / "old.db"
    tid = new_task_id()
    make_v1_database(path, [(tid, "kept", None)])
    for expected_version in (1, 2):
        store = SqliteStore(path)
        runner.run(store.open())
        found = runner.run(store.get(tid))
        assert found is not None
        assert found.version == expected_version
        runner.run(store.replace(tid, Task("kept")))
        runner.run(store.close())
    assert user_version(path) == 2


def test_table_left_at_version_0_by_an_interrupted_first_start_is_migrated(
    runner: asyncio.Runner, tmp_path: Path
) -> None:
    # The issue-2 code created the table and stamped user_version in two steps.
    path = tmp_path / "half.db"
    tid = new_task_id()
    make_v1_database(path, [(tid, "t", None)])
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 0")
    conn.close()
    store = SqliteStore(path)
    runner.run(store.open())
    assert runner.run(store.get(tid)) == Versioned(Task("t"), 1)
    runner.run(store.close())


def test_failed_migration_leaves_the_file_as_it_was(runner: asyncio.Runner, tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    make_v1_database(path, [])
    # A column the migration wants to add exists already: ALTER TABLE fails mid-migration.
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE tasks ADD COLUMN version INTEGER")
    conn.close()
    with pytest.raises(StoreError, match="duplicate column name: version"):
        runner.run(SqliteStore(path).open())
    assert user_version(path) == 1


def test_newer_schema_than_the_code_knows_is_refused(
    runner: asyncio.Runner, tmp_path: Path
) -> None:
    path = tmp_path / "future.db"
    make_v1_database(path, [])
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 3")
    conn.close()
    with pytest.raises(StoreError, match="unknown schema version 3"):
        runner.run(SqliteStore(path).open())
    assert user_version(path) == 3


def test_new_database_gets_the_current_schema(runner: asyncio.Runner, tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    store = SqliteStore(path)
    runner.run(store.open())
    runner.run(store.close())
    assert user_version(path) == SCHEMA_VERSION
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(tasks)")]
    conn.close()
    assert columns == ["id", "title", "description", "priority", "completed", "due_date", "version"]
