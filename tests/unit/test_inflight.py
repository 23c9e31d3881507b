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


class CountingGauge:
    """Stands in for the in-flight requests metric."""

    def __init__(self) -> None:
        self.value = 0.0

    def inc(self, amount: float = 1) -> None:
        self.value += amount

    def dec(self, amount: float = 1) -> None:
        self.value -= amount


def test_a_gauge_follows_the_count_up_and_down() -> None:
    gauge = CountingGauge()

    async def scenario() -> list[float]:
        inflight = InFlight(gauge)
        release = asyncio.Event()
        tasks = [asyncio.create_task(release.wait()) for _ in range(3)]
        for task in tasks:
            inflight.track(task)
            inflight.track(task)  # tracked twice, counted once
        seen = [gauge.value]
        release.set()
        await asyncio.gather(*tasks)
        await asyncio.sleep(0)  # done callbacks run on the next turn
        return [*seen, gauge.value]

    assert asyncio.run(scenario()) == [3.0, 0.0]


def test_a_request_counts_from_its_head_and_its_task_takes_over_the_count() -> None:
    gauge = CountingGauge()

    async def scenario() -> list[tuple[int, float, bool]]:
        inflight = InFlight(gauge)
        request, lost = object(), object()
        inflight.arrived(request)
        inflight.arrived(request)  # counted once
        inflight.arrived(lost)
        seen = [(inflight.count, gauge.value, inflight._idle.is_set())]
        release = asyncio.Event()
        task = asyncio.create_task(release.wait())
        inflight.track(task, request)  # the handler's task now holds the request's count
        inflight.left(lost)  # its connection closed before a handler came
        inflight.left(lost)  # a second close changes nothing
        seen.append((inflight.count, gauge.value, inflight._idle.is_set()))
        release.set()
        await asyncio.wait_for(inflight.wait_idle(), 5)
        seen.append((inflight.count, gauge.value, inflight._idle.is_set()))
        return seen

    assert asyncio.run(scenario()) == [(2, 2.0, False), (1, 1.0, False), (0, 0.0, True)]
