"""collapsed_from_yappi: flame-graph stacks rebuilt from yappi's call graph, one root per route."""

from __future__ import annotations

from collections import defaultdict
from typing import Final

from taskservice.profiling.stats import Pit, ProfileStats

MAX_DEPTH: Final = 64
# A branch narrower than this share of its route's time is dropped (inferno would hide it too),
# which also bounds how many stacks a dense call graph can expand into.
MIN_SHARE: Final = 1e-4
MIN_SECONDS: Final = 1e-6


def collapsed_from_yappi(stats: ProfileStats) -> list[str]:
    """Collapsed stacks "route;frame;frame COUNT", COUNT in integer microseconds.

    An approximation: yappi records a call graph, not stacks. It knows each function's total
    time and, for each function it called, the time spent in those calls, whoever the caller
    was higher up. Stacks are rebuilt from each route's root functions (those entered from
    outside the route, such as a handler's task) down: a function's time on a stack goes to its
    callees in proportion to the edge times yappi recorded, and the rest is its own time. Calls
    that ran under another route's tag belong to that route's picture, not this one. Recursion
    and cycles stop at the first repeat, depth at MAX_DEPTH. Under the wall clock a coroutine's
    time includes the time it spent awaiting, so a route's width is the sum of its latencies.
    """
    totals: dict[str, float] = defaultdict(float)
    for tag, route in stats.routes.items():
        _Route(stats.pits, tag, totals).collapse(route)
    lines = [f"{stack} {round(s * 1e6)}" for stack, s in totals.items() if round(s * 1e6) > 0]
    return sorted(lines)


class _Route:
    """One route's part of the call graph, walked into stacks that add up in `totals`."""

    def __init__(self, pits: dict[int, Pit], tag: int, totals: dict[str, float]) -> None:
        self.pits = pits
        self.tag = tag
        self.totals = totals
        self.floor = MIN_SECONDS

    def roots(self) -> dict[int, float]:
        """Each pit's time not covered by its callers in this route: entered from outside."""
        mine = [pit for pit in self.pits.values() if pit.tag == self.tag]
        called: dict[int, float] = defaultdict(float)
        for pit in mine:
            for child, seconds in pit.children:
                if child != pit.index and self._ours(child):
                    called[child] += seconds
        return {p.index: p.ttot - called[p.index] for p in mine if p.ttot > called[p.index]}

    def collapse(self, route: str) -> None:
        """Add this route's stacks, each starting with the route's name, to the totals."""
        roots = self.roots()
        self.floor = max(MIN_SECONDS, sum(roots.values()) * MIN_SHARE)
        for index, seconds in roots.items():
            if seconds >= self.floor:
                self._walk(index, seconds, [route], {index})

    def _ours(self, index: int) -> bool:
        pit = self.pits.get(index)
        return pit is not None and pit.tag == self.tag

    def _walk(self, index: int, seconds: float, path: list[str], on_path: set[int]) -> None:
        pit = self.pits[index]
        frames = [*path, pit.label]
        stack = ";".join(frames)
        if len(frames) > MAX_DEPTH or pit.ttot <= 0:
            self._add(stack, seconds)
            return
        scale = seconds / pit.ttot
        edges = [(child, t * scale) for child, t in pit.children if child != index]
        shares = [(child, share) for child, share in edges if self._ours(child)]
        given = sum(share for _, share in shares)
        if given > seconds:  # wall-clock coroutine edges can add up to more than the caller
            shares = [(child, share * seconds / given) for child, share in shares]
            given = seconds
        # Calls that ran under another tag (a handler's task started from the loop) are that
        # route's roots: they leave this stack, taking at most what is left.
        elsewhere = sum(share for child, share in edges if not self._ours(child))
        self._add(stack, seconds - given - min(elsewhere, seconds - given))
        for child, share in shares:
            if share < self.floor:
                continue  # dropped: too narrow to see
            if child in on_path:  # recursion or a cycle: count it here, do not go round again
                self._add(f"{stack};{self.pits[child].label}", share)
                continue
            on_path.add(child)
            self._walk(child, share, frames, on_path)
            on_path.discard(child)

    def _add(self, stack: str, seconds: float) -> None:
        if seconds >= self.floor:
            self.totals[stack] += seconds
