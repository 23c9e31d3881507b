"""What the postgresql store does beyond the shared contract: its schema, its prepared
statements, what it refuses, and how it fails and recovers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bench.load.service import free_port
from taskservice.datamodel import Task
from taskservice.errors import StoreError, ValidationError
from taskservice.service import new_task_id
from taskservice.store import PostgresStore, Versioned, make_store
from tests.support.postgres import (
    fresh_database,
    private_cluster,
    run_sql,
    server_dsn_or_skip,
    with_database,
)


def postgres_store(dsn: str, options: str = "") -> PostgresStore:
    store = make_store(dsn + options)
    assert isinstance(store, PostgresStore)
    return store


@contextmanager
def opened_store(runner: asyncio.Runner, dsn: str, options: str = "") -> Iterator[PostgresStore]:
    """The store for `dsn`, open for the block and closed after it."""
    store = postgres_store(dsn, options)
    runner.run(store.open())
    try:
        yield store
    finally:
        runner.run(store.close())


def test_opening_twice_keeps_the_schema_and_the_tasks(
    postgres_dsn: str, runner: asyncio.Runner
) -> None:
    tid = new_task_id()
    first = postgres_store(postgres_dsn)
    runner.run(first.open())
    runner.run(first.create(tid, Task("kept")))
    runner.run(first.close())
    second = postgres_store(postgres_dsn)
    runner.run(second.open())
    try:
        assert runner.run(second.get(tid)) == Versioned(Task("kept"), 1)
    finally:
        runner.run(second.close())
    tables = run_sql(postgres_dsn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert [row["tablename"] for row in tables] == ["tasks"]


def test_stores_opening_at_once_on_an_empty_database_all_succeed(
    postgres_dsn: str, runner: asyncio.Runner
) -> None:
    # As several workers starting together do: the advisory lock lets one create the table.
    stores = [postgres_store(postgres_dsn) for _ in range(6)]

    async def open_all() -> list[BaseException | None]:
        return list(await asyncio.gather(*(s.open() for s in stores), return_exceptions=True))

    try:
        assert runner.run(open_all()) == [None] * len(stores)
        tid = new_task_id()
        runner.run(stores[0].create(tid, Task("one")))
        assert runner.run(stores[-1].get(tid)) == Versioned(Task("one"), 1)
    finally:
        for s in stores:
            runner.run(s.close())


def test_statements_are_prepared_on_the_connection_that_runs_them(
    postgres_dsn: str, runner: asyncio.Runner
) -> None:
    # One connection, so the statements of every call below land on the session inspected.
    with opened_store(runner, postgres_dsn, "?min_size=1&max_size=1") as store:
        tid = new_task_id()
        runner.run(store.create(tid, Task("a")))
        runner.run(store.get(tid))
        runner.run(store.replace(tid, Task("b"), {1}))
        runner.run(store.list(limit=10))
        runner.run(store.delete(tid))

        async def prepared() -> list[str]:
            assert store._pool is not None  # the store's own pool: the statements are per session
            async with store._pool.acquire() as conn:
                rows = await conn.fetch("SELECT statement FROM pg_prepared_statements")
            return [" ".join(row["statement"].split()) for row in rows]

        statements = runner.run(prepared())
    for start in (
        "INSERT INTO tasks",
        "SELECT title,",
        "WITH changed AS",
        "SELECT id,",
        "WITH gone",
    ):
        assert any(s.startswith(start) for s in statements), (start, statements)


def test_a_create_is_committed_once_it_returns(postgres_dsn: str, runner: asyncio.Runner) -> None:
    with opened_store(runner, postgres_dsn) as store:
        tid = new_task_id()
        runner.run(store.create(tid, Task("durable")))
        # Another session sees only committed rows.
        rows = run_sql(postgres_dsn, "SELECT title FROM tasks WHERE id = $1", tid)
        [synchronous] = run_sql(postgres_dsn, "SHOW synchronous_commit")
    assert [row["title"] for row in rows] == ["durable"]
    assert synchronous["synchronous_commit"] == "on"


def test_nul_in_a_replacement_is_refused_and_the_task_kept(
    postgres_dsn: str, runner: asyncio.Runner
) -> None:
    with opened_store(runner, postgres_dsn) as store:
        tid = new_task_id()
        runner.run(store.create(tid, Task("before")))
        with pytest.raises(ValidationError, match=r"^description: contains a NUL character"):
            runner.run(store.replace(tid, Task("after", "a\x00")))
        assert runner.run(store.get(tid)) == Versioned(Task("before"), 1)


def test_out_of_range_integer_is_a_validation_error(
    postgres_dsn: str, runner: asyncio.Runner
) -> None:
    with opened_store(runner, postgres_dsn) as store:
        tid = new_task_id()
        with pytest.raises(ValidationError, match="due_date: integer out of the 64-bit range"):
            runner.run(store.create(tid, Task("too late", due_date=2**63)))
        assert runner.run(store.get(tid)) is None


def test_text_a_latin1_database_cannot_hold_is_a_validation_error(
    runner: asyncio.Runner,
) -> None:
    with (
        fresh_database(server_dsn_or_skip(), encoding="LATIN1") as dsn,
        opened_store(runner, dsn) as store,
    ):
        runner.run(store.create(new_task_id(), Task("Überweisung")))  # in Latin-1: stored
        tid = new_task_id()
        with pytest.raises(ValidationError, match="cannot store"):
            runner.run(store.create(tid, Task("日本")))
        assert runner.run(store.get(tid)) is None


def test_unreachable_server_at_open_is_a_one_line_store_error_without_the_password(
    runner: asyncio.Runner,
) -> None:
    store = postgres_store(f"postgresql://app:hunter2@127.0.0.1:{free_port()}/tasks")
    with pytest.raises(StoreError) as err:
        runner.run(store.open())
    message = str(err.value)
    assert message.startswith("cannot open postgresql store postgresql://app:***@127.0.0.1:")
    assert "connection refused" in message
    assert "hunter2" not in message
    assert "\n" not in message


def test_missing_database_at_open_is_a_store_error_naming_it(runner: asyncio.Runner) -> None:
    store = postgres_store(with_database(server_dsn_or_skip(), "no_such_database"))
    with pytest.raises(StoreError, match='database "no_such_database" does not exist'):
        runner.run(store.open())


def test_lost_connections_are_a_store_error_until_the_database_is_back(
    postgres_dsn: str, runner: asyncio.Runner
) -> None:
    server = server_dsn_or_skip()
    name = postgres_dsn.rsplit("/", 1)[1]
    with opened_store(runner, postgres_dsn, "?min_size=2") as store:
        tid = new_task_id()
        runner.run(store.create(tid, Task("survives")))
        # Refuse new sessions, then end the store's: every connection it has or makes fails.
        run_sql(server, f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        run_sql(
            server,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            name,
        )
        for _ in range(3):
            # The first call may find its connection closed under it; the others cannot reconnect.
            with pytest.raises(StoreError, match=r"not currently accepting connections|terminat"):
                runner.run(store.get(tid))
        run_sql(server, f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        assert runner.run(store.get(tid)) == Versioned(Task("survives"), 1)
        assert runner.run(store.replace(tid, Task("again"))) == 2


def test_wrong_password_at_open_is_a_store_error_that_does_not_show_it(
    runner: asyncio.Runner,
) -> None:
    with private_cluster() as cluster:
        wrong = cluster.dsn.replace(cluster.password, "not-the-password-42")
        with pytest.raises(StoreError) as err:
            runner.run(postgres_store(wrong).open())
        # The right one works, so it was the password that was refused.
        right = postgres_store(cluster.dsn)
        runner.run(right.open())
        runner.run(right.close())
    message = str(err.value)
    assert 'password authentication failed for user "postgres"' in message
    assert "postgresql://postgres:***@127.0.0.1:" in message
    assert "not-the-password-42" not in message
