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
        """Each pit's time not covered by its callers in this route: entered from outside.

        A recursive cycle (a -> b -> a) is entered through its member with the most time, whose
        total holds the others' already.
        """
        mine = {pit.index: pit for pit in self.pits.values() if pit.tag == self.tag}
        cycle = _components({i: [c for c, _ in p.children if c in mine] for i, p in mine.items()})
        called: dict[int, float] = defaultdict(float)  # by component: time from outside it
        for pit in mine.values():
            for child, seconds in pit.children:
                if child in mine and cycle[child] != cycle[pit.index]:
                    called[cycle[child]] += seconds
        entry: dict[int, Pit] = {}  # by component: its member with the most time
        for index, pit in mine.items():
            best = entry.get(cycle[index])
            if best is None or pit.ttot > best.ttot:
                entry[cycle[index]] = pit
        found = {pit.index: pit.ttot - called[c] for c, pit in entry.items()}
        return {index: seconds for index, seconds in found.items() if seconds > 0}

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


def _components(graph: dict[int, list[int]]) -> dict[int, int]:
    """Strongly connected components (Kosaraju, without recursion): node -> component id."""
    order: list[int] = []
    seen: set[int] = set()
    for start in graph:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(graph[start]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(graph[child])))
    reverse: dict[int, list[int]] = defaultdict(list)
    for node, callees in graph.items():
        for callee in callees:
            reverse[callee].append(node)
    component: dict[int, int] = {}
    for start in reversed(order):
        if start in component:
            continue
        component[start] = start
        todo = [start]
        while todo:
            for caller in reverse[todo.pop()]:
                if caller not in component:
                    component[caller] = start
                    todo.append(caller)
    return component
