"""TimedStore: each request's store time is its own, and every call is observed."""

from __future__ import annotations

import asyncio

import pytest

from taskservice.datamodel import Task
from taskservice.errors import StoreError
from taskservice.ids import new_task_id
from taskservice.store import MemoryStore, StoreTime, TimedStore, Versioned, start_request


class SlowStore(MemoryStore):
    """A memory store whose reads take `delay` seconds, and whose creates can fail."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def get(self, task_id: str) -> Versioned | None:
        await asyncio.sleep(self.delay)
        return await super().get(task_id)


def test_each_request_sums_only_its_own_store_time(runner: asyncio.Runner) -> None:
    timed = TimedStore(SlowStore(0.05))
    runner.run(timed.open())

    async def request(reads: int) -> tuple[StoreTime, float]:
        """The request's store time, and how long the request took."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        spent = start_request()
        for _ in range(reads):
            await timed.get(new_task_id())
        return spent, loop.time() - began

    async def both() -> tuple[tuple[StoreTime, float], tuple[StoreTime, float]]:
        return await asyncio.gather(
            asyncio.create_task(request(1)), asyncio.create_task(request(3))
        )

    (one, one_took), (three, three_took) = runner.run(both())
    # Bounded by what each request took, not by a guess at how late a busy machine's timers
    # fire: the other request's read, counted in too, would take a sum past its request's time.
    assert 0.05 <= one.seconds <= one_took
    assert 0.15 <= three.seconds <= three_took  # its three reads, not the other request's one
    assert three.ms == round(1000 * three.seconds, 3)


def test_every_call_is_observed_with_its_operation_and_outcome(runner: asyncio.Runner) -> None:
    seen: list[tuple[str, bool]] = []
    timed = TimedStore(MemoryStore(), lambda op, seconds, ok: seen.append((op, ok)))
    runner.run(timed.open())
    tid = new_task_id()
    runner.run(timed.create(tid, Task("a")))
    with pytest.raises(StoreError):
        runner.run(timed.create(tid, Task("again")))  # the id exists
    runner.run(timed.get(tid))
    runner.run(timed.replace(tid, Task("b")))
    runner.run(timed.list())
    runner.run(timed.delete(tid))
    assert seen == [
        ("create", True),
        ("create", False),
        ("get", True),
        ("replace", True),
        ("list", True),
        ("delete", True),
    ]


def test_calls_outside_a_request_are_observed_but_summed_nowhere(runner: asyncio.Runner) -> None:
    seconds: list[float] = []
    timed = TimedStore(SlowStore(0.02), lambda op, s, ok: seconds.append(s))
    runner.run(timed.open())

    async def outside() -> None:
        await timed.get(new_task_id())

    runner.run(outside())
    assert len(seconds) == 1
    assert seconds[0] >= 0.02


def test_results_pass_through_unchanged(runner: asyncio.Runner) -> None:
    timed = TimedStore(MemoryStore())
    runner.run(timed.open())
    tid = new_task_id()
    runner.run(timed.create(tid, Task("a")))
    assert runner.run(timed.get(tid)) == Versioned(Task("a"), 1)
    assert runner.run(timed.replace(tid, Task("b"), {1})) == 2
    assert runner.run(timed.list(None, 10)) == [(tid, Task("b"))]
    assert runner.run(timed.delete(tid)) is True
    assert runner.run(timed.get(tid)) is None
    runner.run(timed.close())
