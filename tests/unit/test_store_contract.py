"""The Store protocol's contract, run against every engine."""

from __future__ import annotations

import asyncio

import pytest

from taskservice.datamodel import Task
from taskservice.errors import StoreError
from taskservice.service import new_task_id
from taskservice.store import Store

FULL = Task("Pay bills", "before Friday", "urgent", True, 1735689600)


def test_created_task_reads_back_equal(store: Store, runner: asyncio.Runner) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))
    assert runner.run(store.get(tid)) == FULL


def test_get_unknown_id_returns_none(store: Store, runner: asyncio.Runner) -> None:
    assert runner.run(store.get(new_task_id())) is None


def test_create_existing_id_raises_store_error(store: Store, runner: asyncio.Runner) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))
    with pytest.raises(StoreError):
        runner.run(store.create(tid, Task("other")))
    assert runner.run(store.get(tid)) == FULL


def test_replace_overwrites_every_field(store: Store, runner: asyncio.Runner) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))
    assert runner.run(store.replace(tid, Task("Task2"))) is True
    assert runner.run(store.get(tid)) == Task("Task2")


def test_replace_unknown_id_returns_false_and_creates_nothing(
    store: Store, runner: asyncio.Runner
) -> None:
    tid = new_task_id()
    assert runner.run(store.replace(tid, FULL)) is False
    assert runner.run(store.get(tid)) is None


def test_delete_removes_only_that_task(store: Store, runner: asyncio.Runner) -> None:
    keep, drop = new_task_id(), new_task_id()
    runner.run(store.create(keep, Task("keep")))
    runner.run(store.create(drop, Task("drop")))
    assert runner.run(store.delete(drop)) is True
    assert runner.run(store.get(drop)) is None
    assert runner.run(store.list()) == [(keep, Task("keep"))]


def test_delete_unknown_id_returns_false(store: Store, runner: asyncio.Runner) -> None:
    assert runner.run(store.delete(new_task_id())) is False


def test_list_is_in_id_order(store: Store, runner: asyncio.Runner) -> None:
    ids = ["b" * 32, "a" * 32, "c" * 32]
    for i, tid in enumerate(ids):
        runner.run(store.create(tid, Task(f"t{i}")))
    assert [tid for tid, _ in runner.run(store.list())] == sorted(ids)


def test_list_of_empty_store_is_empty(store: Store, runner: asyncio.Runner) -> None:
    assert runner.run(store.list()) == []


@pytest.mark.parametrize(
    "task",
    [
        Task("plain"),
        Task('Überweisung 日本 🚀 "q" \\ \t\x00\n', "multi\nline\r\n", "low", False, -1.5),
        Task("whole due date", due_date=2**63 - 1),
        Task("float due date", due_date=1.0),
        Task("empty description", description=""),
        Task("negative zero", due_date=-0.0),
    ],
)
def test_values_round_trip_exactly_with_their_types(
    store: Store, runner: asyncio.Runner, task: Task
) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, task))
    got = runner.run(store.get(tid))
    assert got == task
    assert got is not None
    assert type(got.completed) is bool
    assert type(got.due_date) is type(task.due_date)
    assert repr(got.due_date) == repr(task.due_date)  # -0.0 keeps its sign
