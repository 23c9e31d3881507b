"""A whole ratios run: seed the read store, then interleaved rounds of every scenario."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.ratios import seed
from bench.ratios.measure import Workspace, measure
from bench.ratios.rounds import order
from bench.ratios.scenarios import Scenario
from bench.ratios.settings import Settings
from bench.ratios.wrk import WrkResult


def filesystem(path: Path) -> str:
    """The type of the filesystem holding `path` (ext4, tmpfs, ...), from /proc/mounts."""
    best, kind = "", "unknown"
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    target = str(path.resolve())
    for line in mounts:
        fields = line.split()
        inside = len(fields) >= 3 and (target + "/").startswith(fields[1].rstrip("/") + "/")
        if inside and len(fields[1]) >= len(best):  # the deepest mount point holding it
            best, kind = fields[1], fields[2]
    return kind


def _line(result: WrkResult) -> str:
    latency = result.latency_ms
    errors = f", {result.errors} errors" if result.errors else ""
    return (
        f"{result.rps:,.0f} rps, p50 {latency['p50']:.2f} ms, p99 {latency['p99']:.2f} ms{errors}"
    )


def run(
    scenarios: Sequence[Scenario],
    settings: Settings,
    scratch: Path,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Measure every scenario in every round; the raw rows, round orders and problems.

    The store files are deleted afterwards; the server logs stay in `scratch` for the caller
    to keep or remove.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    space = Workspace(scratch)
    rows: dict[str, list[dict[str, Any]]] = {s.name: [] for s in scenarios}
    orders: list[list[str]] = []
    problems: list[str] = []
    try:
        if any(s.store == "read" for s in scenarios):
            say(f"ratios: storing {settings.seed_tasks:,} tasks for the read scenarios")
            space.read_ids = seed.seed(space.read_store, settings.seed_tasks)
        for r in range(settings.rounds):
            ordered = order(scenarios, r, settings.rounds)
            orders.append([s.name for s in ordered])
            for s in ordered:
                m = measure(s, r + 1, space, settings)
                rows[s.name].append(
                    {
                        "round": r + 1,
                        "rps": m.result.rps,
                        "requests": m.result.requests,
                        "seconds": m.result.seconds,
                        **{f"{p}_ms": v for p, v in m.result.latency_ms.items()},
                        "non_2xx": m.result.non_2xx,
                        "socket_errors": m.result.socket_errors,
                    }
                )
                problems += m.problems
                say(f"ratios: round {r + 1}/{settings.rounds} {s.name}: {_line(m.result)}")
    finally:
        shutil.rmtree(space.folder / "stores", ignore_errors=True)
    return {
        "rows": rows,
        "orders": orders,
        "problems": problems,
        "store_filesystem": filesystem(scratch),
    }
