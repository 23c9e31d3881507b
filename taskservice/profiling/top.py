"""top_table: the functions with the most own time, per route, as a plain-text table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from taskservice.profiling.stats import Pit, ProfileStats

TOP: Final = 30
_HEADER: Final = f"{'tsub ms':>10} {'ttot ms':>10} {'ncall':>8} {'per call us':>12}  function"


def top_table(stats: ProfileStats, limit: int = TOP) -> str:
    """For each route, busiest first, its `limit` functions with the most own time (tsub)."""
    out = [
        f"yappi, {stats.clock} clock: top {limit} functions per route by own time (tsub).",
        "tsub: time in the function itself; ttot: with its callees; per call: ttot / ncall.",
    ]
    if stats.clock == "wall":
        out.append("Wall clock: a coroutine's times include the time it spent awaiting.")
    tables = [(route, _rows(stats.route_pits(tag))) for tag, route in stats.routes.items()]
    for route, rows in sorted(tables, key=lambda t: -sum(row.tsub for row in t[1])):
        total_ms = 1000 * sum(row.tsub for row in rows)
        out += ["", f"== {route}  (own time of all its functions: {total_ms:.1f} ms)", _HEADER]
        for row in rows[:limit]:
            per_call_us = 1e6 * row.ttot / row.ncall if row.ncall else 0.0
            times = f"{1000 * row.tsub:>10.3f} {1000 * row.ttot:>10.3f}"
            out.append(f"{times} {row.ncall:>8} {per_call_us:>12.1f}  {row.label}")
    return "\n".join(out) + "\n"


@dataclass
class _Row:
    label: str
    ncall: int = 0
    tsub: float = 0.0
    ttot: float = 0.0


def _rows(pits: list[Pit]) -> list[_Row]:
    """One row per function: its pits from every thread added up, most own time first."""
    rows: dict[str, _Row] = {}
    for pit in pits:
        row = rows.setdefault(pit.label, _Row(pit.label))
        row.ncall += pit.ncall
        row.tsub += pit.tsub
        row.ttot += pit.ttot
    return sorted(rows.values(), key=lambda row: row.tsub, reverse=True)
