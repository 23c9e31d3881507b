"""TodoListService's CRUD rules, on every store."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from taskservice.datamodel import Task
from taskservice.errors import TaskNotFound, VersionMismatch
from taskservice.paging import Page, PageRequest
from taskservice.service import TodoListService, is_task_id, new_task_id
from taskservice.store import Store, Versioned


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
    assert runner.run(service.get_task(tid)) == Versioned(Task("Task1"), 1)


def test_replace_then_list(service: TodoListService, runner: asyncio.Runner) -> None:
    tid = runner.run(service.create_task(Task("Task1")))
    runner.run(service.replace_task(tid, Task("Task2", priority="high")))
    assert runner.run(service.list_tasks()).tasks == {tid: Task("Task2", priority="high")}


def test_delete_then_list_is_empty(service: TodoListService, runner: asyncio.Runner) -> None:
    tid = runner.run(service.create_task(Task("Task1")))
    runner.run(service.delete_task(tid))
    assert runner.run(service.list_tasks()) == Page({}, None)


def test_list_keeps_creation_order(service: TodoListService, runner: asyncio.Runner) -> None:
    ids = []
    for i in range(5):
        ids.append(runner.run(service.create_task(Task(f"t{i}"))))
        time.sleep(0.002)
    assert list(runner.run(service.list_tasks()).tasks) == ids


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
    assert runner.run(service.list_tasks()) == Page({}, None)


def test_replace_returns_the_new_version(service: TodoListService, runner: asyncio.Runner) -> None:
    tid = runner.run(service.create_task(Task("Task1")))
    assert runner.run(service.replace_task(tid, Task("Task2"))) == 2
    assert runner.run(service.replace_task(tid, Task("Task3"), {2})) == 3
    assert runner.run(service.get_task(tid)) == Versioned(Task("Task3"), 3)


def test_stale_version_leaves_the_task_as_it_was(
    service: TodoListService, runner: asyncio.Runner
) -> None:
    tid = runner.run(service.create_task(Task("Task1")))
    runner.run(service.replace_task(tid, Task("Task2")))
    with pytest.raises(VersionMismatch):
        runner.run(service.replace_task(tid, Task("lost update"), {1}))
    with pytest.raises(VersionMismatch):
        runner.run(service.delete_task(tid, {1}))
    assert runner.run(service.get_task(tid)) == Versioned(Task("Task2"), 2)


def test_unknown_id_with_a_version_is_not_found_rather_than_a_mismatch(
    service: TodoListService, runner: asyncio.Runner
) -> None:
    with pytest.raises(TaskNotFound):
        runner.run(service.replace_task(new_task_id(), Task("x"), {1}))
    with pytest.raises(TaskNotFound):
        runner.run(service.delete_task(new_task_id(), {1}))


def test_pages_cover_every_task_once_and_say_where_to_go_on(
    service: TodoListService, runner: asyncio.Runner
) -> None:
    ids = sorted(runner.run(service.create_task(Task(f"t{i}"))) for i in range(7))
    seen: list[str] = []
    after = None
    for expected_size in (3, 3, 1):
        page = runner.run(service.list_tasks(PageRequest(limit=3, after=after)))
        assert len(page.tasks) == expected_size
        seen += page.tasks
        after = page.next_after
        assert after == (seen[-1] if len(seen) < 7 else None)
    assert seen == ids


def test_page_that_ends_exactly_at_the_last_task_has_no_next(
    service: TodoListService, runner: asyncio.Runner
) -> None:
    for i in range(4):
        runner.run(service.create_task(Task(f"t{i}")))
    assert runner.run(service.list_tasks(PageRequest(limit=4))).next_after is None


def test_default_page_holds_at_most_100_tasks(
    service: TodoListService, runner: asyncio.Runner
) -> None:
    ids = sorted(runner.run(service.create_task(Task(f"t{i}"))) for i in range(101))
    page = runner.run(service.list_tasks())
    assert list(page.tasks) == ids[:100]
    assert page.next_after == ids[99]
