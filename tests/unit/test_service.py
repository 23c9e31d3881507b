"""TodoListService's CRUD rules, on every store."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from taskservice.datamodel import Task
from taskservice.errors import TaskNotFound
from taskservice.service import TodoListService, is_task_id, new_task_id
from taskservice.store import Store


@pytest.fixture
def service(store: Store) -> TodoListService:
    return TodoListService(store)


def test_new_task_ids_are_32_hex_digits_and_unique() -> None:
    ids = {new_task_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_new_task_ids_sort_by_creation_time() -> None:
    first = new_task_id()
    time.sleep(0.002)
    assert new_task_id() > first


@pytest.mark.parametrize(
    ("text", "ok"),
    [("0" * 32, True), ("a" * 31, False), ("A" * 32, False), ("g" * 32, False), ("", False)],
)
def test_is_task_id_accepts_only_the_id_shape(text: str, ok: bool) -> None:
    assert is_task_id(text) is ok


def test_create_then_get(service: TodoListService, runner: asyncio.Runner) -> None:
    tid = runner.run(service.create_task(Task("Task1")))
    assert runner.run(service.get_task(tid)) == Task("Task1")


def test_replace_then_list(service: TodoListService, runner: asyncio.Runner) -> None:
    tid = runner.run(service.create_task(Task("Task1")))
    runner.run(service.replace_task(tid, Task("Task2", priority="high")))
    assert runner.run(service.list_tasks()) == {tid: Task("Task2", priority="high")}


def test_delete_then_list_is_empty(service: TodoListService, runner: asyncio.Runner) -> None:
    tid = runner.run(service.create_task(Task("Task1")))
    runner.run(service.delete_task(tid))
    assert runner.run(service.list_tasks()) == {}


def test_list_keeps_creation_order(service: TodoListService, runner: asyncio.Runner) -> None:
    ids = []
    for i in range(5):
        ids.append(runner.run(service.create_task(Task(f"t{i}"))))
        time.sleep(0.002)
    assert list(runner.run(service.list_tasks())) == ids


@pytest.mark.parametrize("task_id", ["0" * 32, "not-an-id", "../../etc/passwd", "\x00"])
def test_unknown_or_malformed_id_raises_task_not_found(
    service: TodoListService, runner: asyncio.Runner, task_id: str
) -> None:
    with pytest.raises(TaskNotFound) as err:
        runner.run(service.get_task(task_id))
    assert err.value.task_id == task_id
    with pytest.raises(TaskNotFound):
        runner.run(service.replace_task(task_id, Task("x")))
    with pytest.raises(TaskNotFound):
        runner.run(service.delete_task(task_id))
    assert runner.run(service.list_tasks()) == {}
