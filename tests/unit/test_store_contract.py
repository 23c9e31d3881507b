"""The Store protocol's contract, run against every engine."""

from __future__ import annotations

import asyncio

import pytest

from taskservice.datamodel import Task
from taskservice.errors import StoreError, ValidationError, VersionMismatch
from taskservice.service import new_task_id
from taskservice.store import PostgresStore, Store, Versioned

FULL = Task("Pay bills", "before Friday", "urgent", True, 1735689600)


def test_created_task_reads_back_equal(store: Store, runner: asyncio.Runner) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))
    assert runner.run(store.get(tid)) == Versioned(FULL, 1)


def test_get_unknown_id_returns_none(store: Store, runner: asyncio.Runner) -> None:
    assert runner.run(store.get(new_task_id())) is None


def test_create_existing_id_raises_store_error(store: Store, runner: asyncio.Runner) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))
    with pytest.raises(StoreError):
        runner.run(store.create(tid, Task("other")))
    assert runner.run(store.get(tid)) == Versioned(FULL, 1)


def test_replace_overwrites_every_field_and_bumps_the_version(
    store: Store, runner: asyncio.Runner
) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))
    assert runner.run(store.replace(tid, Task("Task2"))) == 2
    assert runner.run(store.get(tid)) == Versioned(Task("Task2"), 2)
    assert runner.run(store.replace(tid, Task("Task3"))) == 3


def test_replace_unknown_id_returns_none_and_creates_nothing(
    store: Store, runner: asyncio.Runner
) -> None:
    tid = new_task_id()
    assert runner.run(store.replace(tid, FULL)) is None
    assert runner.run(store.replace(tid, FULL, {1})) is None
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
    assert runner.run(store.delete(new_task_id(), {1})) is False


def test_replace_with_the_current_version_succeeds(store: Store, runner: asyncio.Runner) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))
    assert runner.run(store.replace(tid, Task("v2"), {1})) == 2
    assert runner.run(store.replace(tid, Task("v3"), {7, 2, 9})) == 3
    assert runner.run(store.get(tid)) == Versioned(Task("v3"), 3)


@pytest.mark.parametrize("expected", [{1}, {3, 4}, set()])
def test_replace_with_another_version_raises_and_changes_nothing(
    store: Store, runner: asyncio.Runner, expected: set[int]
) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))
    runner.run(store.replace(tid, Task("v2")))
    with pytest.raises(VersionMismatch) as err:
        runner.run(store.replace(tid, Task("lost"), expected))
    assert err.value.task_id == tid
    assert runner.run(store.get(tid)) == Versioned(Task("v2"), 2)


def test_delete_with_the_current_version_removes_the_task(
    store: Store, runner: asyncio.Runner
) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))
    assert runner.run(store.delete(tid, {1})) is True
    assert runner.run(store.get(tid)) is None


def test_delete_with_another_version_raises_and_keeps_the_task(
    store: Store, runner: asyncio.Runner
) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))
    runner.run(store.replace(tid, Task("v2")))
    with pytest.raises(VersionMismatch):
        runner.run(store.delete(tid, {1}))
    assert runner.run(store.get(tid)) == Versioned(Task("v2"), 2)
    assert [t for t, _ in runner.run(store.list())] == [tid]


def test_racing_replaces_of_one_version_let_exactly_one_win(
    store: Store, runner: asyncio.Runner
) -> None:
    tid = new_task_id()
    runner.run(store.create(tid, FULL))

    async def race() -> list[int | BaseException | None]:
        writes = [store.replace(tid, Task(f"writer {i}"), {1}) for i in range(8)]
        return list(await asyncio.gather(*writes, return_exceptions=True))

    outcomes = runner.run(race())
    winners = [i for i, outcome in enumerate(outcomes) if outcome == 2]
    assert len(winners) == 1
    assert all(isinstance(o, VersionMismatch) for i, o in enumerate(outcomes) if i != winners[0])
    assert runner.run(store.get(tid)) == Versioned(Task(f"writer {winners[0]}"), 2)


def test_list_is_in_id_order(store: Store, runner: asyncio.Runner) -> None:
    ids = ["b" * 32, "a" * 32, "c" * 32]
    for i, tid in enumerate(ids):
        runner.run(store.create(tid, Task(f"t{i}")))
    assert [tid for tid, _ in runner.run(store.list())] == sorted(ids)


def test_list_of_empty_store_is_empty(store: Store, runner: asyncio.Runner) -> None:
    assert runner.run(store.list()) == []
    assert runner.run(store.list("0" * 32, 10)) == []


def test_list_pages_by_id_after_a_given_id(store: Store, runner: asyncio.Runner) -> None:
    ids = [f"{i:032x}" for i in range(1, 8)]
    for tid in reversed(ids):
        runner.run(store.create(tid, Task(tid)))
    assert [t for t, _ in runner.run(store.list(limit=3))] == ids[:3]
    assert [t for t, _ in runner.run(store.list(ids[2], 3))] == ids[3:6]
    assert [t for t, _ in runner.run(store.list(ids[5], 3))] == ids[6:]
    assert runner.run(store.list(ids[6], 3)) == []
    # An id that is not (or no longer) stored still marks a place in the order.
    runner.run(store.delete(ids[3]))
    assert [t for t, _ in runner.run(store.list(ids[3]))] == ids[4:]
    assert [task.title for _, task in runner.run(store.list(ids[0], 1))] == [ids[1]]


@pytest.mark.parametrize(
    "task",
    [
        Task("plain"),
        Task('Überweisung 日本 🚀 "q" \\ \t\x01\x7f\n', "multi\nline\r\n", "low", False, -1.5),
        Task("whole due date", due_date=2**63 - 1),
        Task("\U0010ffff\ufffe at the edges", due_date=-(2**63)),
        Task("largest float", due_date=1.7976931348623157e308),
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
    found = runner.run(store.get(tid))
    assert found is not None
    got = found.task
    assert got == task
    assert type(got.completed) is bool
    assert type(got.due_date) is type(task.due_date)
    assert repr(got.due_date) == repr(task.due_date)  # -0.0 keeps its sign


def test_nul_in_text_round_trips_or_is_refused_with_nothing_stored(
    store: Store, runner: asyncio.Runner
) -> None:
    """Memory and SQLite keep a NUL character; PostgreSQL's text cannot, so that store refuses
    the task whole (the API answers 400) rather than store part of it."""
    tid = new_task_id()
    task = Task("a\x00b", "c\x00d")
    if isinstance(store, PostgresStore):
        with pytest.raises(ValidationError, match=r"^title: .*NUL.*; description: .*NUL"):
            runner.run(store.create(tid, task))
        assert runner.run(store.get(tid)) is None
    else:
        runner.run(store.create(tid, task))
        assert runner.run(store.get(tid)) == Versioned(task, 1)
