"""ProfileStats: yappi's call graph as it recorded it, per route (tag) and thread, with labels."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from taskservice.profiling.tags import RouteTags

CLOCKS: Final = ("wall", "cpu")


@dataclass(frozen=True)
class Pit:
    """One function as yappi saw it under one route tag in one thread (yappi's "pit")."""

    index: int
    tag: int
    label: str  # "qualname (file:line)"
    ncall: int
    ttot: float  # seconds, callees included
    tsub: float  # seconds, callees excluded
    children: tuple[tuple[int, float], ...]  # (callee's index, seconds spent in those calls)


@dataclass(frozen=True)
class ProfileStats:
    """A stopped yappi run: every pit by index, the route of each tag, and yappi's own stats."""

    clock: str
    routes: dict[int, str]  # tag -> route name, for the tags that recorded anything
    pits: dict[int, Pit]
    merged: Any  # yappi.YFuncStats of all routes merged, for pstat and callgrind (or None)

    def route_pits(self, tag: int) -> list[Pit]:
        """The pits recorded under one tag."""
        return [pit for pit in self.pits.values() if pit.tag == tag]

    def save(self, path: Path, kind: str) -> None:
        """Save the merged stats with yappi's own writer: kind is "pstat" or "callgrind"."""
        if self.merged is None:
            raise ValueError("these stats were captured without yappi's merged stats")
        self.merged.save(str(path), type=kind)


def capture(clock: str, tags: RouteTags, merged: bool = True) -> ProfileStats:
    """Read yappi's current stats (after yappi.stop(), before clear_stats()).

    merged=False skips yappi's own merged stats, which pstat and callgrind files need and
    which take as long again to build.
    """
    import yappi  # only ever called after a session stopped it, so it is loaded already

    pits: dict[int, Pit] = {}
    # yappi keeps each function's code object only until its stats are cleared: label now.
    descriptors: dict[str, object] = getattr(yappi, "_fn_descriptor_dict", {})

    def keep(stat: Any) -> bool:
        # yappi merges the same function's entries from every tag and thread into one; this
        # callback sees each entry before that, with its tag and its callees still apart.
        # Its children are then yappi's raw (index, ncall, nactualcall, ttot, tsub) tuples.
        code = descriptors.get(stat.full_name)
        children = tuple((int(c[0]), float(c[3])) for c in stat.children)
        pits[stat.index] = Pit(
            stat.index, stat.tag, _label(stat, code), stat.ncall, stat.ttot, stat.tsub, children
        )
        return False

    yappi.get_func_stats(filter_callback=keep)
    seen = {pit.tag for pit in pits.values()}
    routes = {tag: name for tag, name in tags.items() if tag in seen}
    return ProfileStats(clock, routes, pits, yappi.get_func_stats() if merged else None)


def _label(stat: Any, code: object) -> str:
    # co_qualname names the class that defines a method (RequestHandler._execute); yappi's own
    # name uses the class of the first `self` it saw (TaskHandler._execute).
    name = getattr(code, "co_qualname", None) or stat.name
    where = short_path(str(stat.module))
    text = f"{name} ({where}:{stat.lineno})" if stat.lineno else f"{name} ({where})"
    return text.replace(";", ",")  # ';' separates frames in collapsed stacks


def short_path(path: str) -> str:
    """A source path relative to the sys.path entry it was imported from (tornado/web.py)."""
    for root in _ROOTS:
        if path.startswith(root):
            return path[len(root) :]
    return path


def _roots() -> list[str]:
    # Both as given and resolved: code objects carry the path they were imported by.
    given = [p for p in sys.path if p]
    entries = {os.path.abspath(p) for p in given} | {str(Path(p).resolve()) for p in given}
    # Longest first, so site-packages wins over the stdlib folder that contains it.
    return sorted((e.rstrip("/") + "/" for e in entries), key=len, reverse=True)


_ROOTS: Final = _roots()
