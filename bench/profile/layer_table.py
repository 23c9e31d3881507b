"""The layer table of a profile run: each layer's share of the on-CPU time and its CPU µs per
request, as run.json stores it, as the run prints it, and as `--diff` compares two runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.profile import layers

Table = dict[str, Any]
"""run.json's `layers`: picture, requests, cpu_us_per_request, rows [{layer, share, us}]."""


def build(
    picture: str, stacks: Mapping[str, int], cpu_s: float | None, requests: int
) -> Table | None:
    """The table for `stacks` (the picture's), with the service's CPU over the requests served.

    None when the picture holds no samples. Without the CPU figure only the shares are known.
    """
    if not stacks or sum(stacks.values()) == 0:
        return None
    per_request = cpu_s * 1e6 / requests if cpu_s is not None and requests > 0 else None
    rows = [
        {
            "layer": layer,
            "share": round(share, 4),
            "us": None if per_request is None else round(share * per_request, 1),
        }
        for layer, share in layers.shares(stacks).items()
    ]
    return {
        "picture": picture,
        "requests": requests,
        "cpu_us_per_request": None if per_request is None else round(per_request, 1),
        "rows": rows,
    }


def _us(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def lines(table: Table) -> list[str]:
    """The table as the run prints it, one layer a line, the total last."""
    out = [f"{'layer':<16} {'share':>7} {'µs/request':>11}"]
    for row in table["rows"]:
        out.append(f"{row['layer']:<16} {row['share']:>7.1%} {_us(row['us']):>11}")
    out.append(f"{'all':<16} {1:>7.0%} {_us(table['cpu_us_per_request']):>11}")
    return out


def markdown(table: Table) -> list[str]:
    """The table in Markdown, for summary.md."""
    out = ["| layer | share of on-CPU time | CPU µs per request |", "|---|---:|---:|"]
    out += [f"| {r['layer']} | {r['share']:.1%} | {_us(r['us'])} |" for r in table["rows"]]
    out.append(f"| **all** | 100% | **{_us(table['cpu_us_per_request'])}** |")
    return out


def diff_rows(a: Table, b: Table) -> list[dict[str, Any]]:
    """Per layer: A's and B's µs per request and the change (None where a run lacks the CPU)."""
    rows_a = {r["layer"]: r for r in a["rows"]}
    rows_b = {r["layer"]: r for r in b["rows"]}
    out = []
    for layer in layers.ORDER:
        us_a = rows_a.get(layer, {}).get("us")
        us_b = rows_b.get(layer, {}).get("us")
        change = None if us_a is None or us_b is None else round(us_b - us_a, 1)
        out.append({"layer": layer, "us_a": us_a, "us_b": us_b, "change": change})
    total_a, total_b = a.get("cpu_us_per_request"), b.get("cpu_us_per_request")
    change = None if total_a is None or total_b is None else round(total_b - total_a, 1)
    out.append({"layer": "all", "us_a": total_a, "us_b": total_b, "change": change})
    return out


def diff_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The per-layer change as `--diff` prints it (µs per request, B minus A)."""
    out = [f"{'layer':<16} {'A µs/req':>9} {'B µs/req':>9} {'change':>8}"]
    for r in rows:
        change = "—" if r["change"] is None else f"{r['change']:+,.0f}"
        out.append(f"{r['layer']:<16} {_us(r['us_a']):>9} {_us(r['us_b']):>9} {change:>8}")
    return out
