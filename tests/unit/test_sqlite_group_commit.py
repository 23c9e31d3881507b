"""Group commit: writes queued together share one commit, and each fails only for itself."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from taskservice.datamodel import Task
from taskservice.errors import StoreError, VersionMismatch
from taskservice.service import new_task_id
from taskservice.store import SqliteStore, Versioned
from tests.support.faults import write_lock


@pytest.fixture
def store(runner: asyncio.Runner, tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "tasks.db")
    runner.run(s.open())
    yield s
    runner.run(s.close())


def committed_titles(path: Path) -> dict[str, str]:
    """Every task's title as another connection sees it: only committed data."""
    with sqlite3.connect(path) as other:
        rows = other.execute("SELECT id, title FROM tasks").fetchall()
    other.close()
    return dict(rows)


async def one_batch(
    store: SqliteStore, writes: list[Callable[[], Awaitable[Any]]]
) -> tuple[list[Any], list[str]]:
    """Run the writes as one batch; their outcomes (results or exceptions), and the statements
    the write connection ran meanwhile.

    A write of the test's own is held in its COMMIT on the writer thread while the writes queue
    up, so once it is released they make up the next batch.
    """
    statements: list[str] = []
    started, release = threading.Event(), threading.Event()

    def trace(statement: str) -> None:
        statements.append(statement)
        if statement == "COMMIT" and "SELECT 'hold'" in statements and not release.is_set():
            started.set()
            release.wait(10)

    await store._call(lambda c: c.set_trace_callback(trace))
    held = asyncio.ensure_future(store._call(lambda c: c.execute("SELECT 'hold'")))
    await asyncio.to_thread(started.wait, 10)
    pending = [asyncio.ensure_future(write()) for write in writes]
    await asyncio.sleep(0)  # each write runs up to its submit
    release.set()
    await held
    outcomes = await asyncio.gather(*pending, return_exceptions=True)
    # The trace stays on: a write to remove it would fail in the tests that break the store.
    after_hold = statements.index("COMMIT", statements.index("SELECT 'hold'")) + 1
    return outcomes, statements[after_hold:]


def test_concurrent_writes_share_one_commit_and_each_gets_its_own_result(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    ids = [new_task_id() for _ in range(20)]
    runner.run(store.create(ids[0], Task("first")))
    writes: list[Callable[[], Awaitable[Any]]] = [
        lambda: store.replace(ids[0], Task("first, edited")),
        *(lambda tid=tid: store.create(tid, Task(f"t {tid}")) for tid in ids[1:]),
    ]
    outcomes, statements = runner.run(one_batch(store, writes))
    assert outcomes == [2] + [None] * 19
    assert statements.count("BEGIN IMMEDIATE") == 1
    assert statements.count("COMMIT") == 1
    titles = committed_titles(store.path)
    assert titles == {ids[0]: "first, edited", **{tid: f"t {tid}" for tid in ids[1:]}}


def test_failing_writes_fail_alone_and_their_neighbours_are_committed(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    existing, before, after = new_task_id(), new_task_id(), new_task_id()
    runner.run(store.create(existing, Task("existing")))
    outcomes, statements = runner.run(
        one_batch(
            store,
            [
                lambda: store.create(before, Task("before")),
                lambda: store.create(existing, Task("duplicate")),
                lambda: store.replace(existing, Task("stale"), expected={7}),
                lambda: store.delete(existing, expected={7}),
                lambda: store.create(after, Task("after")),
            ],
        )
    )
    assert outcomes[0] is None
    assert outcomes[4] is None
    assert isinstance(outcomes[1], StoreError)
    assert "UNIQUE constraint failed" in str(outcomes[1])
    assert isinstance(outcomes[2], VersionMismatch)
    assert isinstance(outcomes[3], VersionMismatch)
    assert statements.count("COMMIT") == 1
    assert committed_titles(store.path) == {
        existing: "existing",
        before: "before",
        after: "after",
    }
    assert runner.run(store.get(existing)) == Versioned(Task("existing"), 1)


def test_failing_commit_fails_every_write_of_the_batch_and_stores_none(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    def deny_commit(conn: sqlite3.Connection) -> None:
        def authorize(action: int, arg: str | None, *rest: object) -> int:
            refuse = action == sqlite3.SQLITE_TRANSACTION and arg == "COMMIT"
            return sqlite3.SQLITE_DENY if refuse else sqlite3.SQLITE_OK

        conn.set_authorizer(authorize)

    ids = [new_task_id() for _ in range(3)]
    outcomes, _ = runner.run(
        one_batch(
            store,
            [
                lambda: store.create(ids[0], Task("a")),
                lambda: store._call(deny_commit),
                lambda: store.create(ids[1], Task("b")),
            ],
        )
    )
    assert [type(outcome) for outcome in outcomes] == [StoreError] * 3
    assert all("cannot commit: not authorized" in str(outcome) for outcome in outcomes)
    assert committed_titles(store.path) == {}
    assert runner.run(store.get(ids[0])) is None
    runner.run(store._call(lambda c: c.set_authorizer(None)))
    runner.run(store.create(ids[2], Task("after the trouble")))  # the writer carries on
    assert committed_titles(store.path) == {ids[2]: "after the trouble"}


def test_transaction_lost_mid_batch_fails_the_writes_before_it_and_not_those_after(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    def lose_transaction(conn: sqlite3.Connection) -> None:
        conn.execute("ROLLBACK")  # as SQLite itself does on a full disk or an I/O error
        raise sqlite3.OperationalError("disk I/O error")

    lost, kept = new_task_id(), new_task_id()
    outcomes, _ = runner.run(
        one_batch(
            store,
            [
                lambda: store.create(lost, Task("lost")),
                lambda: store._call(lose_transaction),
                lambda: store.create(kept, Task("kept")),
            ],
        )
    )
    assert isinstance(outcomes[0], StoreError)
    assert "rolled back: disk I/O error" in str(outcomes[0])
    assert isinstance(outcomes[1], StoreError)
    assert outcomes[2] is None
    assert committed_titles(store.path) == {kept: "kept"}


def test_locked_database_fails_every_write_of_the_batch(
    runner: asyncio.Runner, tmp_path: Path
) -> None:
    store = SqliteStore(tmp_path / "tasks.db", busy_timeout_ms=50)
    runner.run(store.open())

    async def write_three() -> list[Any]:
        writes = [store.create(new_task_id(), Task("t")) for _ in range(3)]
        return await asyncio.gather(*writes, return_exceptions=True)

    with write_lock(store.path):
        outcomes = runner.run(write_three())
    runner.run(store.close())
    assert [type(outcome) for outcome in outcomes] == [StoreError] * 3
    assert all("cannot begin: database is locked" in str(outcome) for outcome in outcomes)
    assert committed_titles(store.path) == {}


def test_a_write_waits_for_another_process_lock_off_the_loop_and_then_commits(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    existing, waiting = new_task_id(), new_task_id()
    runner.run(store.create(existing, Task("existing")))

    async def write_while_locked() -> tuple[bool, Versioned | None, float]:
        with write_lock(store.path) as other:
            write = asyncio.ensure_future(store.create(waiting, Task("waited")))
            loop = asyncio.get_running_loop()
            start = loop.time()
            await asyncio.sleep(0.2)
            # The loop is free while the write waits for the lock: reads are answered at once.
            read = await store.get(existing)
            lagged = loop.time() - start
            done_while_locked = write.done()
            other.execute("ROLLBACK")
            other.execute("BEGIN")  # write_lock ends with its own ROLLBACK
        await write
        return done_while_locked, read, lagged

    done_while_locked, read, lagged = runner.run(write_while_locked())
    assert done_while_locked is False
    assert read == Versioned(Task("existing"), 1)
    assert lagged < 2.0  # the busy timeout is 5 s: a loop blocked on the lock would show it
    assert committed_titles(store.path) == {existing: "existing", waiting: "waited"}


def test_close_commits_the_writes_queued_before_it(runner: asyncio.Runner, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "tasks.db")
    ids = [new_task_id() for _ in range(10)]

    async def write_then_close() -> list[Any]:
        await store.open()
        pending = [asyncio.ensure_future(store.create(tid, Task(tid))) for tid in ids]
        await asyncio.sleep(0)  # queued, not yet committed
        await store.close()
        return await asyncio.gather(*pending, return_exceptions=True)

    assert runner.run(write_then_close()) == [None] * 10
    assert committed_titles(store.path) == {tid: tid for tid in ids}


def test_writes_after_close_began_raise_store_error(runner: asyncio.Runner, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "tasks.db")

    async def close_then_write() -> None:
        await store.open()
        closing = asyncio.ensure_future(store.close())
        await asyncio.sleep(0)
        with pytest.raises(StoreError, match="not open"):
            await store.create(new_task_id(), Task("too late"))
        await closing
        with pytest.raises(StoreError, match="not open"):
            await store.replace(new_task_id(), Task("too late"))
        with pytest.raises(StoreError, match="not open"):
            await store.delete(new_task_id())

    runner.run(close_then_write())
    assert committed_titles(store.path) == {}


def test_a_read_sees_each_write_as_soon_as_it_returned(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    async def write_and_read_back() -> None:
        for n in range(50):
            tid = new_task_id()
            await store.create(tid, Task(f"t{n}"))
            assert await store.get(tid) == Versioned(Task(f"t{n}"), 1)
            assert await store.replace(tid, Task(f"u{n}")) == 2
            assert await store.get(tid) == Versioned(Task(f"u{n}"), 2)
            assert (tid, Task(f"u{n}")) in await store.list(limit=None)
            assert await store.delete(tid) is True
            assert await store.get(tid) is None

    runner.run(write_and_read_back())


def test_a_read_never_sees_a_write_its_batch_has_not_committed(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    tid = new_task_id()
    armed, inside, release = threading.Event(), threading.Event(), threading.Event()

    def hold_commit(statement: str) -> None:
        if statement == "COMMIT" and armed.is_set() and not release.is_set():
            inside.set()
            release.wait(10)

    async def read_mid_batch() -> tuple[Versioned | None, list[Any]]:
        # The insert has run, and its COMMIT is held on the writer thread.
        await store._call(lambda c: c.set_trace_callback(hold_commit))
        armed.set()
        created = asyncio.ensure_future(store.create(tid, Task("uncommitted")))
        await asyncio.to_thread(inside.wait, 10)
        try:
            mid = await store.get(tid)
            listed = await store.list()
        finally:
            release.set()
        await created
        return mid, listed

    assert runner.run(read_mid_batch()) == (None, [])
    assert runner.run(store.get(tid)) == Versioned(Task("uncommitted"), 1)


def test_an_unexpected_error_in_the_writer_fails_its_batch_and_the_writer_goes_on(
    runner: asyncio.Runner, store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = store._writer
    assert writer is not None
    real = writer._steps.apply
    calls = []

    def broken_once(batch: list[Any]) -> Any:
        calls.append(len(batch))
        if len(calls) == 1:
            raise RuntimeError("a bug in the writer")
        return real(batch)

    monkeypatch.setattr(writer._steps, "apply", broken_once)
    lost, kept = new_task_id(), new_task_id()
    with pytest.raises(StoreError, match="writer failed: a bug in the writer"):
        runner.run(store.create(lost, Task("lost")))
    runner.run(store.create(kept, Task("kept")))
    assert committed_titles(store.path) == {kept: "kept"}


def test_a_write_raising_stop_iteration_fails_alone_and_the_writer_goes_on(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        next(iter([]))  # a bug in a write: StopIteration, which no future can carry

    neighbour, later = new_task_id(), new_task_id()

    async def within(seconds: float, write: Awaitable[Any]) -> Any:
        return await asyncio.wait_for(write, seconds)

    outcomes, _ = runner.run(
        one_batch(store, [lambda: store._call(broken), lambda: store.create(neighbour, Task("n"))])
    )
    assert isinstance(outcomes[0], StoreError)
    assert "write failed: StopIteration" in str(outcomes[0])
    assert outcomes[1] is None
    runner.run(within(5, store.create(later, Task("later"))))
    runner.run(within(5, store.close()))
    assert committed_titles(store.path) == {neighbour: "n", later: "later"}


def test_a_batch_too_large_for_the_page_cache_runs_its_statements_on_the_thread(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    # Past SQLite's page cache the statements would write to the file: not on the loop.
    threads: dict[str, set[int]] = {"small": set(), "large": set()}
    size = {"now": "small"}

    def spy(statement: str) -> None:
        if statement.startswith("INSERT"):
            threads[size["now"]].add(threading.get_ident())

    runner.run(store._call(lambda c: c.set_trace_callback(spy)))
    big = "d" * 60_000

    async def write_batches() -> None:
        await asyncio.gather(*(store.create(new_task_id(), Task("s")) for _ in range(5)))
        size["now"] = "large"
        await asyncio.gather(*(store.create(new_task_id(), Task("L", big)) for _ in range(5)))

    runner.run(write_batches())
    assert threads["small"] == {threading.get_ident()}
    assert threading.get_ident() not in threads["large"]
    assert len(committed_titles(store.path)) == 10


def test_writes_after_a_lost_transaction_wait_for_another_process_lock(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    # The transaction is lost just as another process takes the write lock: the writes after
    # it are not failed at once, they wait for the lock (up to the busy timeout) and commit.
    def lose_transaction_to_a_lock(conn: sqlite3.Connection) -> None:
        conn.execute("ROLLBACK")
        holder = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")

        def release() -> None:
            holder.execute("ROLLBACK")
            holder.close()

        threading.Timer(0.3, release).start()
        raise sqlite3.OperationalError("disk I/O error")

    after = [new_task_id() for _ in range(3)]
    outcomes, _ = runner.run(
        one_batch(
            store,
            [
                lambda: store._call(lose_transaction_to_a_lock),
                *(lambda tid=tid: store.create(tid, Task("after")) for tid in after),
            ],
        )
    )
    assert isinstance(outcomes[0], StoreError)
    assert outcomes[1:] == [None, None, None]
    assert committed_titles(store.path) == dict.fromkeys(after, "after")


def test_a_write_raising_cancelled_error_fails_alone_as_a_store_error(
    runner: asyncio.Runner, store: SqliteStore
) -> None:
    # CancelledError is not an Exception; it must neither stall the writer nor cancel the caller.
    def cancelled(conn: sqlite3.Connection) -> None:
        raise asyncio.CancelledError

    neighbour, later = new_task_id(), new_task_id()
    outcomes, _ = runner.run(
        one_batch(
            store, [lambda: store._call(cancelled), lambda: store.create(neighbour, Task("n"))]
        )
    )
    assert isinstance(outcomes[0], StoreError)
    assert "write failed: CancelledError" in str(outcomes[0])
    assert outcomes[1] is None
    runner.run(asyncio.wait_for(store.create(later, Task("later")), 5))
    runner.run(asyncio.wait_for(store.close(), 5))
    assert committed_titles(store.path) == {neighbour: "n", later: "later"}
