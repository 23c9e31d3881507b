"""SQLite reads: inline on the loop against a hop to a thread, rowid table against WITHOUT ROWID.

Each row reads through its own connection from a file of 50,000 tasks, as the service reads.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from bench.micro.conftest import Aio, bench_folder
from taskservice.service import new_task_id
from taskservice.store import sqlite_sql as sql

pytestmark = pytest.mark.benchmark(group="sqlite reads")
TASKS = 50_000
_TABLE = """
    CREATE TABLE tasks (
        id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL, description TEXT,
        priority TEXT NOT NULL, completed INTEGER NOT NULL, due_date ANY,
        version INTEGER NOT NULL DEFAULT 1
    ) STRICT
"""


def _fill(path: Path, without_rowid: bool) -> list[str]:
    ids = sorted(new_task_id() for _ in range(TASKS))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(_TABLE + (", WITHOUT ROWID" if without_rowid else ""))
        conn.executemany(sql.INSERT, ((i, f"task {i}", "d" * 40, "low", 0, None) for i in ids))
    conn.close()
    return ids


@pytest.fixture(scope="module", params=["rowid", "without-rowid"])
def table(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[sqlite3.Connection, str]]:
    """A read connection to a file of TASKS tasks, and an id in the middle of them."""
    path = bench_folder(tmp_path_factory, f"reads-{request.param}") / "tasks.db"
    ids = _fill(path, request.param == "without-rowid")
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    yield conn, ids[len(ids) // 2]
    conn.close()


@pytest.fixture(scope="module")
def executor() -> Iterator[ThreadPoolExecutor]:
    """The one worker thread a hop goes to."""
    with ThreadPoolExecutor(1) as pool:
        yield pool


def _statement(kind: str, task_id: str) -> tuple[str, tuple[Any, ...]]:
    if kind == "get":
        return sql.SELECT_ONE, (task_id,)
    return sql.SELECT_PAGE, (task_id, 10)


@pytest.mark.parametrize("kind", ["get", "page"])
def test_inline(
    benchmark: BenchmarkFixture, aio: Aio, table: tuple[sqlite3.Connection, str], kind: str
) -> None:
    conn, task_id = table
    statement, params = _statement(kind, task_id)

    async def read() -> list[Any]:
        return conn.execute(statement, params).fetchall()

    assert benchmark(lambda: aio(read()))


@pytest.mark.parametrize("kind", ["get", "page"])
def test_hop_to_a_thread(
    benchmark: BenchmarkFixture,
    aio: Aio,
    table: tuple[sqlite3.Connection, str],
    executor: ThreadPoolExecutor,
    kind: str,
) -> None:
    conn, task_id = table
    statement, params = _statement(kind, task_id)

    def read() -> list[Any]:
        return conn.execute(statement, params).fetchall()

    async def hop() -> list[Any]:
        return await asyncio.get_running_loop().run_in_executor(executor, read)

    assert benchmark(lambda: aio(hop()))


@pytest.mark.parametrize("cached", [0, sql.CACHED_STATEMENTS])
def test_get_with_statement_cache(
    benchmark: BenchmarkFixture, table: tuple[sqlite3.Connection, str], cached: int
) -> None:
    """A point read with the statement cache off (prepared every time) and on."""
    conn, task_id = table
    (path,) = (row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")
    own = sqlite3.connect(path, isolation_level=None, cached_statements=cached)
    try:
        assert benchmark(lambda: own.execute(sql.SELECT_ONE, (task_id,)).fetchall())
    finally:
        own.close()
