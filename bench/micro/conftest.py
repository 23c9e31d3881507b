"""Shared fixtures: one long-lived event loop, stores by kind, the tutorial's logging config."""

from __future__ import annotations

import asyncio
import logging
import logging.config
import os
import tempfile
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar

import pytest
import yaml

from taskservice import TodoListService
from taskservice.store import Store, make_store

T = TypeVar("T")


class Aio(Protocol):
    """Runs a coroutine to completion on the session's event loop and returns its result."""

    def __call__(self, awaitable: Awaitable[T], /) -> T: ...


REPO = Path(__file__).resolve().parents[2]
LOCAL_CONFIG = REPO / "configs" / "todoList-local.yaml"

# Every store a write can go to: the sqlite rows differ only in how hard a commit waits for the
# disk, so their spread is what durability costs per write.
WRITE_STORES = ("memory", "sqlite", "sqlite-normal", "sqlite-off")
READ_STORES = ("memory", "sqlite")
_SQLITE_OPTIONS = {
    "sqlite": "",
    "sqlite-normal": "?synchronous=normal",
    "sqlite-off": "?synchronous=off",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pedantic-rounds",
        type=int,
        default=200,
        help="rounds for benchmarks that need fresh state each round (default %(default)s)",
    )


@pytest.fixture(scope="session")
def aio() -> Iterator[Aio]:
    """Run a coroutine to completion on one event loop that lives for the whole session.

    A fresh loop per call (asyncio.run) would measure loop start-up, not our code. Each call still
    pays one trip through the loop; `test_loop_floor` measures that floor on its own.
    """
    with asyncio.Runner() as runner:
        # Runner.run also swaps the SIGINT handler on every call, which costs more than the
        # memory store's operations themselves.
        yield runner.get_loop().run_until_complete


@pytest.fixture(scope="session")
def pedantic_rounds(pytestconfig: pytest.Config) -> int:
    """How many rounds a benchmark with per-round set-up runs."""
    rounds: int = pytestconfig.getoption("pedantic_rounds")
    return rounds


def store_url(kind: str, folder: Path) -> str:
    """The store URL for a store kind, with any file inside `folder`."""
    if kind == "memory":
        return "memory://"
    return f"sqlite:///{folder / 'tasks.db'}{_SQLITE_OPTIONS[kind]}"


def bench_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A scratch folder on the same disk as the project, so that fsync costs what it really does."""
    base = os.environ.get("BENCH_SCRATCH")
    if base is None:
        return tmp_path_factory.mktemp(name)
    Path(base).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=base))


def open_service(aio: Aio, kind: str, folder: Path) -> tuple[TodoListService, Store]:
    """A service over a freshly opened store of this kind."""
    store = make_store(store_url(kind, folder))
    aio(store.open())
    return TodoListService(store), store


@pytest.fixture(scope="session")
def local_logging(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tutorial's logging config, with its file in a scratch folder and the console discarded.

    Returns the log file's path. The handlers are the real ones (a RotatingFileHandler and a
    StreamHandler), so the benchmarks pay for formatting and writing as the service does.
    """
    log_file = tmp_path_factory.mktemp("logs") / "app.log"
    settings = yaml.safe_load(LOCAL_CONFIG.read_text())["logging"]
    with open(os.devnull, "w") as devnull:
        settings["handlers"]["file"]["filename"] = str(log_file)
        settings["handlers"]["console"]["stream"] = devnull
        logging.config.dictConfig(settings)
        yield log_file
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
