"""Fixtures for the unit suite: an event loop that lives for one test, and opened stores."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from taskservice.store import Store, make_store


@pytest.fixture
def runner() -> Iterator[asyncio.Runner]:
    """One event loop for the whole test, as a server has: `runner.run(coro)`."""
    with asyncio.Runner() as r:
        yield r


@pytest.fixture(params=["memory", "sqlite"])
def store(
    request: pytest.FixtureRequest, runner: asyncio.Runner, tmp_path: Path
) -> Iterator[Store]:
    """Each store engine, opened, so one contract suite runs against all of them."""
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/db/tasks.db"
    s = make_store(url)
    runner.run(s.open())
    yield s
    runner.run(s.close())
