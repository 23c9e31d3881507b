"""A ratios.json as a real run would write it, from rates the test chooses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.load.cpus import Pinning
from bench.ratios.report import document
from bench.ratios.scenarios import SCENARIOS
from bench.ratios.settings import Settings

RATES = {
    "baseline-get": [2000.0, 2500.0, 2400.0],
    "baseline-post": [1800.0, 1900.0, 2000.0],
    "baseline-llhttp-get": [4000.0, 4750.0, 4560.0],
    "baseline-llhttp-post": [3240.0, 3420.0, 3400.0],
    "minimal-get": [1800.0, 2125.0, 2040.0],
    "minimal-post": [1260.0, 1520.0, 1500.0],
    "minimal-list": [1500.0, 1750.0, 1800.0],
    "minimal-llhttp-get": [3600.0, 4250.0, 4080.0],
    "minimal-llhttp-post": [2520.0, 3040.0, 3000.0],
    "minimal-llhttp-list": [3000.0, 3500.0, 3600.0],
    "get-one": [3400.0, 4250.0, 2000.0],
    "post": [2880.0, 2660.0, 3200.0],
    "list": [2000.0, 2500.0, 2400.0],
    "get-one-local": [3000.0, 3500.0, 3600.0],
}


def row(round_no: int, rps: float, non_2xx: int = 0, read_errors: int = 0) -> dict[str, Any]:
    """One measurement's row, as the runner records it."""
    return {
        "round": round_no,
        "rps": rps,
        "requests": int(rps * 5),
        "seconds": 5.0,
        "p50_ms": 8.0,
        "p75_ms": 9.0,
        "p90_ms": 10.0,
        "p99_ms": 12.5,
        "non_2xx": non_2xx,
        "socket_errors": {"connect": 0, "read": read_errors, "write": 0, "timeout": 0},
    }


def sample_doc(
    rates: dict[str, list[float]] = RATES, problems: list[str] | None = None
) -> dict[str, Any]:
    """ratios.json for `rates` (scenario -> rps per round), pinned, with `problems`."""
    raw = {
        "rows": {name: [row(i + 1, r) for i, r in enumerate(rs)] for name, rs in rates.items()},
        "orders": [[s.name for s in SCENARIOS]] * 3,
        "problems": problems or [],
        "store_filesystem": "ext4",
    }
    settings = Settings(
        rounds=3,
        duration_s=5,
        prod_config=Path("configs/todoList-prod.yaml"),
        pinning=Pinning((0,), (1,)),
    )
    chosen = [s for s in SCENARIOS if s.name in rates]
    env = {"commit": "abc123def456", "dirty": False}
    return document(chosen, settings, raw, "wrk debian/4.1.0-3+b2 [epoll]", env)
