"""Fixtures for the unit suite: an event loop that lives for one test, and opened stores."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from taskservice.store import Store, make_store
from tests.support.postgres import fresh_database, server_dsn_or_skip


@pytest.fixture
def runner() -> Iterator[asyncio.Runner]:
    """One event loop for the whole test, as a server has: `runner.run(coro)`."""
    with asyncio.Runner() as r:
        yield r


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    """The DSN of a new, empty database on the test cluster (skipped locally without one)."""
    with fresh_database(server_dsn_or_skip()) as dsn:
        yield dsn


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest, runner: asyncio.Runner, tmp_path: Path
) -> Iterator[Store]:
    """Each store engine, opened, so one contract suite runs against all of them."""
    with ExitStack() as stack:
        if request.param == "memory":
            url = "memory://"
        elif request.param == "sqlite":
            url = f"sqlite:///{tmp_path}/db/tasks.db"
        else:
            url = stack.enter_context(fresh_database(server_dsn_or_skip()))
        s = make_store(url)
        runner.run(s.open())
        yield s
        runner.run(s.close())
