"""TodoListService CRUD on each store, on one long-lived event loop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from bench.micro.conftest import READ_STORES, WRITE_STORES, Aio, bench_folder, open_service
from taskservice import Task, TodoListService
from taskservice.paging import DEFAULT_PAGE_SIZE

pytestmark = pytest.mark.benchmark(group="service crud")

TASK = Task(title="Write the quarterly report", description="numbers, then prose", priority="high")
EDITED = Task(title="Write the quarterly report", priority="urgent", completed=True, due_date=1.7e9)


@pytest.fixture
def service(
    request: pytest.FixtureRequest, aio: Aio, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TodoListService]:
    """A service over a fresh, empty store of the kind the test is parametrized with."""
    svc, store = open_service(aio, request.param, bench_folder(tmp_path_factory, request.param))
    yield svc
    aio(store.close())


def test_loop_floor(benchmark: BenchmarkFixture, aio: Aio) -> None:
    """What every row below pays to run one coroutine on the loop, doing nothing."""

    async def nothing() -> None:
        return None

    assert benchmark(lambda: aio(nothing())) is None


@pytest.mark.parametrize("service", WRITE_STORES, indirect=True)
def test_create(benchmark: BenchmarkFixture, aio: Aio, service: TodoListService) -> None:
    task_id = benchmark(lambda: aio(service.create_task(TASK)))
    assert aio(service.get_task(task_id)).task == TASK


@pytest.mark.parametrize("service", READ_STORES, indirect=True)
def test_read(benchmark: BenchmarkFixture, aio: Aio, service: TodoListService) -> None:
    task_id = aio(service.create_task(TASK))
    assert benchmark(lambda: aio(service.get_task(task_id))).task == TASK


@pytest.mark.parametrize("service", WRITE_STORES, indirect=True)
def test_update(benchmark: BenchmarkFixture, aio: Aio, service: TodoListService) -> None:
    task_id = aio(service.create_task(TASK))
    benchmark(lambda: aio(service.replace_task(task_id, EDITED)))
    assert aio(service.get_task(task_id)).task == EDITED


@pytest.mark.parametrize("service", WRITE_STORES, indirect=True)
def test_delete(
    benchmark: BenchmarkFixture, aio: Aio, service: TodoListService, pedantic_rounds: int
) -> None:
    # Each round deletes a task that its untimed set-up has just created.
    def setup() -> tuple[tuple[str], dict[str, Any]]:
        return (aio(service.create_task(TASK)),), {}

    benchmark.pedantic(
        lambda task_id: aio(service.delete_task(task_id)), setup=setup, rounds=pedantic_rounds
    )
    assert aio(service.list_tasks()).tasks == {}


@pytest.mark.benchmark(group="service list")
@pytest.mark.parametrize("size", [10, 10_000])
@pytest.mark.parametrize("kind", READ_STORES)
def test_list(
    benchmark: BenchmarkFixture,
    aio: Aio,
    tmp_path_factory: pytest.TempPathFactory,
    kind: str,
    size: int,
) -> None:
    folder = bench_folder(tmp_path_factory, f"list-{kind}-{size}")
    if kind != "memory":
        # Fill the file without waiting for the disk; the listing itself only reads.
        filler, store = open_service(aio, "sqlite-off", folder)
        _fill(aio, filler, size)
        aio(store.close())
    svc, store = open_service(aio, kind, folder)
    if kind == "memory":
        _fill(aio, svc, size)
    try:
        # One page, as GET /tasks serves it: its cost must not grow with the store.
        listed = benchmark(lambda: aio(svc.list_tasks()))
        assert len(listed.tasks) == min(size, DEFAULT_PAGE_SIZE)
    finally:
        aio(store.close())


def _fill(aio: Aio, service: TodoListService, size: int) -> None:
    for n in range(size):
        aio(service.create_task(Task(title=f"task {n}", priority="low")))
