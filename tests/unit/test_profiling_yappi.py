"""Real yappi runs: sessions, route tags, and the stacks and tables made from what it records."""

from __future__ import annotations

import asyncio
import contextvars
import pstats
from collections.abc import Iterator
from pathlib import Path

import pytest
import yappi

from taskservice.profiling import (
    ProfilerBusy,
    ProfileStats,
    RouteTags,
    YappiSession,
    collapsed_from_yappi,
    file_names,
    save_profile,
    top_table,
)
from taskservice.profiling.output import profile_bytes
from taskservice.profiling.tags import ROUTE_TAG

HERE = "tests/unit/test_profiling_yappi.py"


def spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def small() -> int:
    return spin(40_000)


def big() -> int:
    return spin(120_000)  # three times small's work


def handle() -> None:
    for _ in range(5):
        small()
        big()


async def waiting_handler() -> None:
    handle()
    await asyncio.sleep(0.2)


def run_routes(tags: RouteTags) -> None:
    """A loop with two requests, each in its own task created under its route's tag."""

    async def main() -> None:
        tasks = []
        for route, work in (("GET /a", waiting_handler), ("GET /b", asyncio.sleep)):
            context = contextvars.copy_context()
            context.run(ROUTE_TAG.set, tags.tag(route))
            coro = work() if work is waiting_handler else asyncio.sleep(0.01)
            tasks.append(asyncio.create_task(coro, context=context))
        await asyncio.gather(*tasks)

    asyncio.run(main())


@pytest.fixture
def session() -> Iterator[YappiSession]:
    s = YappiSession(RouteTags())
    yield s
    if s.running:
        s.stop()


def record(session: YappiSession, clock: str) -> ProfileStats:
    session.start(clock)
    run_routes(session.tags)
    return session.stop()


def stacks_of(stats: ProfileStats) -> dict[str, int]:
    parsed = {}
    for line in collapsed_from_yappi(stats):
        stack, _, count = line.rpartition(" ")
        parsed[stack] = int(count)
    return parsed


def under(stacks: dict[str, int], *frames: str) -> int:
    """Microseconds on stacks that pass through the given frames, in order."""
    total = 0
    for stack, micros in stacks.items():
        names = [frame.split(" (")[0] for frame in stack.split(";")]
        it = iter(names)
        if all(frame in it for frame in frames):
            total += micros
    return total


def test_a_callee_doing_three_times_the_work_gets_about_three_times_the_time(
    session: YappiSession,
) -> None:
    stacks = stacks_of(record(session, "cpu"))
    big_us = under(stacks, "GET /a", "waiting_handler", "handle", "big", "spin")
    small_us = under(stacks, "GET /a", "waiting_handler", "handle", "small", "spin")
    assert small_us > 0
    assert 2.2 < big_us / small_us < 4.0


def test_frames_name_the_function_and_its_file_and_stacks_start_with_the_route(
    session: YappiSession,
) -> None:
    stacks = stacks_of(record(session, "cpu"))
    assert {stack.split(";")[0] for stack in stacks} >= {"(loop)", "GET /a"}
    handler_stacks = [s for s in stacks if s.startswith("GET /a;")]
    assert any(f"waiting_handler ({HERE}:" in s for s in handler_stacks)
    assert any("sleep (asyncio/tasks.py:" in s for s in handler_stacks)
    # The route's work is the route's alone: the loop that ran its task does not show it too.
    assert under(stacks, "(loop)", "spin") == 0


def test_wall_clock_counts_a_coroutines_awaits_and_cpu_clock_does_not(
    session: YappiSession,
) -> None:
    wall = under(stacks_of(record(session, "wall")), "GET /a", "waiting_handler")
    cpu = under(stacks_of(record(session, "cpu")), "GET /a", "waiting_handler")
    assert wall >= 190_000  # the 0.2 s sleep
    assert cpu < wall - 150_000


def test_only_one_session_records_at_a_time(session: YappiSession) -> None:
    session.start("cpu")
    with pytest.raises(ProfilerBusy):
        YappiSession().start("wall")
    session.stop()
    other = YappiSession()
    other.start("wall")  # free again
    other.stop()


def test_yappi_started_outside_any_session_counts_as_busy(session: YappiSession) -> None:
    yappi.start()
    try:
        with pytest.raises(ProfilerBusy):
            session.start("cpu")
    finally:
        yappi.stop()
        yappi.clear_stats()
    session.start("cpu")  # the failed start gave the session back
    session.stop()


def test_bad_clock_and_stop_without_start_are_errors(session: YappiSession) -> None:
    with pytest.raises(ValueError, match="clock must be one of wall, cpu"):
        session.start("gpu")
    with pytest.raises(RuntimeError, match="not running"):
        session.stop()


def test_top_table_lists_each_route_busiest_first_with_its_top_functions(
    session: YappiSession,
) -> None:
    text = top_table(record(session, "cpu"), limit=3)
    assert text.startswith("yappi, cpu clock: top 3 functions per route by own time (tsub).")
    sections = text.split("\n== ")[1:]
    routes = [section.split("  (")[0] for section in sections]
    assert routes[0] == "GET /a"  # the busiest route
    assert "(loop)" in routes
    rows = sections[0].splitlines()[2:]
    assert len(rows) == 3
    assert rows[0].split()[-2:] == ["spin", f"({HERE}:{spin.__code__.co_firstlineno})"]
    tsub_ms, ttot_ms, ncall, per_call_us = rows[0].split()[:4]
    assert int(ncall) == 10  # 5 x (small + big)
    assert float(per_call_us) == pytest.approx(1000 * float(ttot_ms) / 10, rel=0.01)
    assert float(tsub_ms) <= float(ttot_ms)


def test_save_profile_writes_the_five_files(session: YappiSession, tmp_path: Path) -> None:
    paths = save_profile(record(session, "wall"), tmp_path / "out")
    assert [p.name for p in paths] == file_names("wall")
    assert file_names("wall") == [
        "yappi-wall.pstat",
        "yappi-wall.callgrind",
        "yappi-wall.collapsed",
        "yappi-wall.svg",
        "yappi-wall-top.txt",
    ]
    assert pstats.Stats(str(paths[0])).get_stats_profile().total_tt > 0
    assert paths[1].read_text().startswith("version: 1\ncreator: yappi")
    assert all(line.rsplit(" ", 1)[1].isdigit() for line in paths[2].read_text().splitlines())
    svg = paths[3].read_text()
    assert svg.startswith("<?xml")
    assert "waiting_handler" in svg
    assert "GET /a" in svg
    assert "== GET /a" in paths[4].read_text()


def test_profile_bytes_gives_an_svg_or_a_pstat_file(session: YappiSession, tmp_path: Path) -> None:
    svg = profile_bytes(record(session, "cpu"), "svg")
    assert svg.startswith(b"<?xml")
    assert b"waiting_handler" in svg
    session.start("cpu")
    run_routes(session.tags)
    pstat = profile_bytes(session.stop(merged=True), "pstat")
    (tmp_path / "p.pstat").write_bytes(pstat)
    assert pstats.Stats(str(tmp_path / "p.pstat")).get_stats_profile().total_tt > 0
