"""describe_tasks: what each asyncio task waits in, down its chain of awaits."""

from __future__ import annotations

import asyncio
from typing import Any

from taskservice.profiling.asynctasks import describe_task, describe_tasks

HERE = "tests/unit/test_profiling_asynctasks.py"


async def inner(event: asyncio.Event) -> None:
    await event.wait()


async def outer(event: asyncio.Event) -> None:
    await inner(event)


def test_a_waiting_task_shows_its_whole_await_chain() -> None:
    async def main() -> list[dict[str, Any]]:
        event = asyncio.Event()
        task = asyncio.create_task(outer(event), name="stuck-one")
        await asyncio.sleep(0)  # let it reach its await
        described = describe_tasks()
        event.set()
        await task
        return described

    described = asyncio.run(main())
    names = [t["name"] for t in described]
    assert names == sorted(names)
    stuck = next(t for t in described if t["name"] == "stuck-one")
    assert stuck["coroutine"] == "outer"
    assert stuck["state"] == "pending"
    frames = [frame.split(" (")[0] for frame in stuck["stack"]]
    assert frames == ["outer", "inner", "Event.wait"]
    assert stuck["stack"][0].startswith(f"outer ({HERE}:")
    assert "Future" in stuck["awaiting"]
    main_task = next(t for t in described if t["coroutine"].endswith("main"))
    assert main_task["stack"][0].startswith("test_a_waiting_task_shows_its_whole_await_chain.")


def test_a_cancelling_task_says_so() -> None:
    async def main() -> str:
        task = asyncio.create_task(asyncio.sleep(10))
        await asyncio.sleep(0)
        task.cancel()
        state: str = describe_task(task)["state"]
        await asyncio.gather(task, return_exceptions=True)
        assert describe_task(task)["state"] == "cancelled"
        return state

    assert asyncio.run(main()) == "cancelling"
