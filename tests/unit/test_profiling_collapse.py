"""collapsed_from_yappi on hand-made call graphs: how time flows from callers to callees."""

from __future__ import annotations

import pytest

from taskservice.profiling import collapsed_from_yappi
from taskservice.profiling.collapse import MAX_DEPTH
from taskservice.profiling.stats import Pit, ProfileStats

MS = 1e-3


def pit(
    index: int, label: str, ttot: float, children: dict[int, float] | None = None, tag: int = 1
) -> Pit:
    kids = tuple((child, seconds) for child, seconds in (children or {}).items())
    own = ttot - sum(seconds for _, seconds in kids)
    return Pit(index, tag, label, 1, ttot, own, kids)


def collapse(pits: list[Pit], routes: dict[int, str] | None = None) -> dict[str, int]:
    stats = ProfileStats("cpu", routes or {1: "GET /r"}, {p.index: p for p in pits}, None)
    lines = collapsed_from_yappi(stats)
    parsed = {}
    for line in lines:
        stack, _, count = line.rpartition(" ")
        parsed[stack] = int(count)
    return parsed


def test_each_callee_gets_its_edge_time_and_the_rest_is_own_time() -> None:
    stacks = collapse(
        [
            pit(1, "handler", 100 * MS, {2: 30 * MS, 3: 10 * MS}),
            pit(2, "big", 30 * MS),
            pit(3, "small", 10 * MS),
        ]
    )
    assert stacks == {
        "GET /r;handler": 60_000,
        "GET /r;handler;big": 30_000,
        "GET /r;handler;small": 10_000,
    }


def test_a_shared_callee_splits_its_callees_in_proportion_to_each_callers_share() -> None:
    # `db` is called by both handlers, 3x as long by `put`; its own callees split the same way.
    stacks = collapse(
        [
            pit(1, "get", 10 * MS, {3: 10 * MS}),
            pit(2, "put", 30 * MS, {3: 30 * MS}),
            pit(3, "db", 40 * MS, {4: 20 * MS}),
            pit(4, "fsync", 20 * MS),
        ]
    )
    assert stacks["GET /r;get;db;fsync"] == 5_000
    assert stacks["GET /r;put;db;fsync"] == 15_000
    assert stacks["GET /r;get;db"] == 5_000
    assert stacks["GET /r;put;db"] == 15_000


def test_every_stack_starts_with_its_route_and_routes_do_not_share_time() -> None:
    stacks = collapse(
        [
            pit(1, "Handle._run", 50 * MS, {2: 40 * MS}, tag=0),
            pit(2, "handler", 40 * MS, {3: 40 * MS}, tag=1),
            pit(3, "work", 40 * MS, tag=1),
        ],
        {0: "(loop)", 1: "GET /r"},
    )
    # The loop ran the handler's task, but that time is the route's, not the loop's too.
    assert stacks == {"(loop);Handle._run": 10_000, "GET /r;handler;work": 40_000}


def test_wall_clock_edges_longer_than_their_caller_are_scaled_to_fit() -> None:
    # A coroutine's edge carries its whole life, awaits included, beyond its caller's step.
    stacks = collapse(
        [
            pit(1, "step", 10 * MS, {2: 30 * MS, 3: 10 * MS}),
            pit(2, "a", 30 * MS),
            pit(3, "b", 10 * MS),
        ]
    )
    assert stacks == {"GET /r;step;a": 7_500, "GET /r;step;b": 2_500}


def test_recursion_stops_at_the_first_repeat() -> None:
    stacks = collapse([pit(1, "walk", 10 * MS, {2: 8 * MS}), pit(2, "visit", 8 * MS, {1: 6 * MS})])
    assert stacks["GET /r;walk;visit;walk"] == 6_000
    assert max(stack.count("walk") for stack in stacks) == 2
    assert sum(stacks.values()) == 10_000


def test_a_self_call_does_not_leave_the_function() -> None:
    stacks = collapse([pit(1, "fib", 10 * MS, {1: 9 * MS})])
    assert stacks == {"GET /r;fib": 10_000}


def test_depth_is_capped() -> None:
    depth = MAX_DEPTH + 20
    chain = [
        pit(i, f"f{i}", 10 * MS, {i + 1: 10 * MS} if i < depth else None)
        for i in range(1, depth + 1)
    ]
    stacks = collapse(chain)
    assert max(stack.count(";") for stack in stacks) == MAX_DEPTH  # the route, then MAX_DEPTH
    assert sum(stacks.values()) == 10_000


def test_branches_too_narrow_to_see_are_dropped() -> None:
    stacks = collapse([pit(1, "main", 1.0, {2: 1e-6}), pit(2, "tiny", 1e-6)])
    assert stacks == {"GET /r;main": pytest.approx(1_000_000, abs=1)}


def test_empty_stats_give_no_lines() -> None:
    assert collapse([], {}) == {}
