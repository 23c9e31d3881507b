"""InFlight counts handler tasks until they are done."""

from __future__ import annotations

import asyncio

from taskservice.tornado.inflight import InFlight


def test_counts_tracked_tasks_until_they_finish() -> None:
    async def main() -> list[int]:
        inflight = InFlight()
        gate = asyncio.Event()
        tasks = [asyncio.create_task(gate.wait()) for _ in range(3)]
        for task in tasks:
            inflight.track(task)
        inflight.track(tasks[0])  # tracking twice counts once
        counts = [inflight.count]
        gate.set()
        await asyncio.wait_for(inflight.wait_idle(), 5)
        counts.append(inflight.count)
        return counts

    assert asyncio.run(main()) == [3, 0]


def test_wait_idle_returns_at_once_with_nothing_in_flight() -> None:
    async def main() -> None:
        await asyncio.wait_for(InFlight().wait_idle(), 1)

    asyncio.run(main())


def test_wait_idle_waits_for_a_running_task() -> None:
    async def main() -> bool:
        inflight = InFlight()
        gate = asyncio.Event()
        inflight.track(asyncio.create_task(gate.wait()))
        try:
            await asyncio.wait_for(inflight.wait_idle(), 0.05)
        except TimeoutError:
            gate.set()
            await asyncio.wait_for(inflight.wait_idle(), 5)
            return True
        return False

    assert asyncio.run(main()) is True
