"""What only the sqlite engine promises: durability, WAL, its own thread, clear errors."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from threading import get_ident

import pytest

from taskservice.datamodel import Task
from taskservice.errors import StoreError
from taskservice.service import new_task_id
from taskservice.store import SqliteStore, Versioned


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "folder" / "tasks.db"


def test_open_creates_folder_and_file(runner: asyncio.Runner, db_path: Path) -> None:
    store = SqliteStore(db_path)
    runner.run(store.open())
    runner.run(store.close())
    assert db_path.is_file()


def test_tasks_survive_close_and_reopen(runner: asyncio.Runner, db_path: Path) -> None:
    tid = new_task_id()
    first = SqliteStore(db_path)
    runner.run(first.open())
    runner.run(first.create(tid, Task("durable", completed=True)))
    runner.run(first.close())
    second = SqliteStore(db_path)
    runner.run(second.open())
    assert runner.run(second.get(tid)) == Versioned(Task("durable", completed=True), 1)
    runner.run(second.close())


def test_write_is_committed_when_create_returns(runner: asyncio.Runner, db_path: Path) -> None:
    store = SqliteStore(db_path)
    runner.run(store.open())
    tid = new_task_id()
    runner.run(store.create(tid, Task("seen by others")))
    # A second connection sees only committed data.
    with sqlite3.connect(db_path) as other:
        assert other.execute("SELECT title FROM tasks WHERE id = ?", (tid,)).fetchone() == (
            "seen by others",
        )
    runner.run(store.close())


def test_database_is_in_wal_mode_with_full_sync_by_default(
    runner: asyncio.Runner, db_path: Path
) -> None:
    store = SqliteStore(db_path)
    runner.run(store.open())
    sync = runner.run(store._call(lambda c: c.execute("PRAGMA synchronous").fetchone()[0]))
    runner.run(store.close())
    assert sync == 2  # FULL
    with sqlite3.connect(db_path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_synchronous_option_is_applied(runner: asyncio.Runner, db_path: Path) -> None:
    store = SqliteStore(db_path, synchronous="normal")
    runner.run(store.open())
    sync = runner.run(store._call(lambda c: c.execute("PRAGMA synchronous").fetchone()[0]))
    runner.run(store.close())
    assert sync == 1  # NORMAL


def test_unknown_synchronous_mode_is_refused(db_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous must be one of"):
        SqliteStore(db_path, synchronous="sometimes")


def test_writes_run_on_the_loop_and_their_commits_on_the_writer_thread(
    runner: asyncio.Runner, db_path: Path
) -> None:
    # The statements only change pages in memory; the COMMIT waits for the disk, never the loop.
    store = SqliteStore(db_path)
    runner.run(store.open())
    threads: dict[str, set[int]] = {"COMMIT": set(), "other": set()}

    def spy(sql: str) -> None:
        threads["COMMIT" if sql == "COMMIT" else "other"].add(get_ident())

    runner.run(store._call(lambda c: c.set_trace_callback(spy)))
    tid = new_task_id()
    runner.run(store.create(tid, Task("t")))
    runner.run(store.replace(tid, Task("u")))
    runner.run(store.delete(tid))
    runner.run(store.close())
    assert threads["other"] == {threading.get_ident()}
    assert len(threads["COMMIT"]) == 1
    assert threading.get_ident() not in threads["COMMIT"]


def test_opening_twice_is_refused(runner: asyncio.Runner, db_path: Path) -> None:
    store = SqliteStore(db_path)
    runner.run(store.open())
    with pytest.raises(StoreError, match="open already"):
        runner.run(store.open())
    runner.run(store.close())


def test_corrupt_file_fails_to_open_with_store_error(
    runner: asyncio.Runner, tmp_path: Path
) -> None:
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"this is not a database, just some bytes " * 200)
    with pytest.raises(StoreError, match=r"cannot open sqlite store .*corrupt\.db"):
        runner.run(SqliteStore(bad).open())


def test_path_that_is_a_folder_fails_to_open_with_store_error(
    runner: asyncio.Runner, tmp_path: Path
) -> None:
    (tmp_path / "adir").mkdir()
    with pytest.raises(StoreError, match="cannot open sqlite store"):
        runner.run(SqliteStore(tmp_path / "adir").open())


def test_unknown_schema_version_fails_to_open(runner: asyncio.Runner, db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="unknown schema version 99"):
        runner.run(SqliteStore(db_path).open())


def test_closed_store_raises_store_error(runner: asyncio.Runner, db_path: Path) -> None:
    store = SqliteStore(db_path)
    runner.run(store.open())
    runner.run(store.close())
    with pytest.raises(StoreError, match="not open"):
        runner.run(store.get(new_task_id()))


def test_runtime_sqlite_error_becomes_store_error(runner: asyncio.Runner, db_path: Path) -> None:
    store = SqliteStore(db_path)
    runner.run(store.open())
    runner.run(store._call(lambda c: c.execute("DROP TABLE tasks")))
    with pytest.raises(StoreError, match="no such table"):
        runner.run(store.list())
    runner.run(store.close())


class _Refusing:
    """Stands in for the inline read connection: SQLite refuses the read with this error code."""

    def __init__(self, code: int, message: str = "database is locked") -> None:
        self.code = code
        self.message = message

    def execute(self, statement: str, params: object) -> sqlite3.Cursor:
        error = sqlite3.OperationalError(self.message)
        error.sqlite_errorcode = self.code
        raise error


def test_reads_run_on_the_loops_thread(runner: asyncio.Runner, db_path: Path) -> None:
    store = SqliteStore(db_path)
    runner.run(store.open())
    task_id = new_task_id()
    runner.run(store.create(task_id, Task("inline")))
    threads: list[int] = []
    store._inline.set_trace_callback(lambda statement: threads.append(get_ident()))  # type: ignore[union-attr]
    assert runner.run(store.get(task_id)) == Versioned(Task("inline"), 1)
    assert [t for t, _ in runner.run(store.list())] == [task_id]
    runner.run(store.close())
    assert threads == [get_ident(), get_ident()]


@pytest.mark.parametrize(
    "code", [sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, 261]
)  # 261: BUSY_RECOVERY
def test_a_read_sqlite_would_make_wait_goes_to_the_reader_thread(
    runner: asyncio.Runner, db_path: Path, code: int
) -> None:
    store = SqliteStore(db_path)
    runner.run(store.open())
    task_id = new_task_id()
    runner.run(store.create(task_id, Task("waited for")))
    store._inline = _Refusing(code)  # type: ignore[assignment]
    assert runner.run(store.get(task_id)) == Versioned(Task("waited for"), 1)
    assert runner.run(store.list()) == [(task_id, Task("waited for"))]
    store._inline = None
    runner.run(store.close())


def test_other_read_errors_are_store_errors_not_retried(
    runner: asyncio.Runner, db_path: Path
) -> None:
    store = SqliteStore(db_path)
    runner.run(store.open())
    store._inline = _Refusing(sqlite3.SQLITE_IOERR, "disk I/O error")  # type: ignore[assignment]
    with pytest.raises(StoreError, match="disk I/O error"):
        runner.run(store.get(new_task_id()))
    store._inline = None
    runner.run(store.close())


def test_a_row_python_cannot_decode_is_a_store_error(runner: asyncio.Runner, db_path: Path) -> None:
    # sqlite3 raises this OperationalError itself, without an SQLite error code.
    store = SqliteStore(db_path)
    runner.run(store.open())
    task_id = new_task_id()
    runner.run(store.create(task_id, Task("readable")))
    with sqlite3.connect(db_path, isolation_level=None) as other:
        other.execute("UPDATE tasks SET title = CAST(x'ff' AS TEXT) WHERE id = ?", (task_id,))
    other.close()
    with pytest.raises(StoreError, match="decode"):
        runner.run(store.get(task_id))
    with pytest.raises(StoreError, match="decode"):
        runner.run(store.list())
    runner.run(store.close())
