"""ratios.json from a run's raw rows, and its Markdown table and warnings for the summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.ratios.configs import shown
from bench.ratios.rounds import median, ratios
from bench.ratios.scenarios import Scenario
from bench.ratios.settings import Settings
from bench.results import RATIOS_JSON

__all__ = ["RATIOS_JSON", "document", "render", "warnings"]


def _scenario(s: Scenario, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "server": s.server,
        "http": s.http,
        "request": f"{s.method} {s.path}",
        "baseline": s.baseline,
        "rps": round(median([r["rps"] for r in rows]), 2),
        "p50_ms": round(median([r["p50_ms"] for r in rows]), 3),
        "p99_ms": round(median([r["p99_ms"] for r in rows]), 3),
        "non_2xx": sum(r["non_2xx"] for r in rows),
        "socket_errors": sum(sum(r["socket_errors"].values()) for r in rows),
        "rounds": rows,
    }


def _pinning(settings: Settings) -> dict[str, list[int]] | None:
    if settings.pinning is None:
        return None
    return {"server": list(settings.server_cores or ()), "wrk": list(settings.wrk_cores or ())}


def document(
    scenarios: Sequence[Scenario],
    settings: Settings,
    raw: dict[str, Any],
    wrk_version: str,
    environment: dict[str, Any],
) -> dict[str, Any]:
    """Everything ratios.json holds: how it was measured, per scenario medians, the ratios."""
    rows: dict[str, list[dict[str, Any]]] = raw["rows"]
    rates = {name: [r["rps"] for r in rs] for name, rs in rows.items() if rs}
    return {
        "commit": environment.get("commit"),
        "dirty": environment.get("dirty"),
        "wrk": wrk_version,
        "load": {"threads": 1, "connections": settings.connections,
                 "duration_s": settings.duration_s, "warmup_s": settings.warmup_s},
        "rounds": settings.rounds,
        "pinning": _pinning(settings),
        "configs": {"prod": shown(settings.prod_config), "local": shown(settings.local_config)},
        "store": {"engine": "sqlite", "synchronous": "FULL", "seeded_tasks": settings.seed_tasks,
                  "filesystem": raw.get("store_filesystem", "unknown")},
        "orders": raw["orders"],
        "scenarios": {s.name: _scenario(s, rows[s.name]) for s in scenarios if rows.get(s.name)},
        "ratios": _ratios(scenarios, rates),
        "problems": raw["problems"],
    }  # fmt: skip


def _ratios(scenarios: Sequence[Scenario], rates: dict[str, list[float]]) -> dict[str, Any]:
    found = {r.scenario: r for r in ratios(scenarios, rates)}
    by_name = {s.name: s for s in scenarios}
    out: dict[str, Any] = {}
    for name, r in found.items():
        reference = found.get(by_name[name].reference or "")
        out[name] = {
            "baseline": r.baseline, "median": round(r.median, 4),
            "per_round": [round(x, 4) for x in r.per_round],
            "target": r.target, "met": r.met,
            # The minimal app's ratio for the same request: the most this scenario can reach.
            "minimal": None if reference is None else round(reference.median, 4),
        }  # fmt: skip
    return out


def _ms(value: float) -> str:
    return (
        f"{value:.2f} ms"
        if value < 10
        else f"{value:.1f} ms"
        if value < 100
        else f"{value:,.0f} ms"
    )


def _header(doc: dict[str, Any]) -> str:
    load, store = doc["load"], doc["store"]
    pinning = doc["pinning"]
    warmup = f"after a {load['warmup_s']} s warm-up" if load["warmup_s"] else "no warm-up"
    where = (
        f"server on cpu {','.join(map(str, pinning['server']))}, "
        f"wrk on cpu {','.join(map(str, pinning['wrk']))}"
        if pinning
        else "not pinned (no taskset, or fewer than 2 cores)"
    )
    return (
        f"{doc['wrk']}: -t{load['threads']} -c{load['connections']} -d{load['duration_s']}s "
        f"{warmup}, {doc['rounds']} interleaved rounds, {where}. "
        f"Service: {doc['configs']['prod']} (get-one-local: {doc['configs']['local']}), "
        f"sqlite synchronous={store['synchronous']} on {store['filesystem']}, "
        f"{store['seeded_tasks']:,} tasks stored for the reads."
    )


def render(doc: dict[str, Any]) -> str:
    """The ratios as a Markdown section: a row per scenario, its ratio, per round, and target."""
    lines = [
        "## ratios: the service against bare Tornado, same core, same run",
        "",
        _header(doc),
        "",
        "| scenario | http | req/s (median) | p50 | p99 | errors | vs baseline | per round "
        "| minimal app | target | met |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for name, row in doc["scenarios"].items():
        ratio = doc["ratios"].get(name)
        cells = ["1.00x" if row["baseline"] is None else "", "", "", "", ""]
        if ratio:
            target, minimal = ratio["target"], ratio.get("minimal")
            cells = [
                f"{ratio['median']:.2f}x",
                ", ".join(f"{x:.2f}" for x in ratio["per_round"]),
                "" if minimal is None else f"{minimal:.2f}x",
                "" if target is None else f"≥ {target:.2f}x",
                {True: "yes", False: "**no**", None: ""}[ratio["met"]],
            ]
        errors = row["non_2xx"] + row["socket_errors"]
        # A run saved before the transports were recorded has no http: left blank, not guessed.
        lines.append(
            f"| {name} | {row.get('http', '')} | {row['rps']:,.0f} | {_ms(row['p50_ms'])} "
            f"| {_ms(row['p99_ms'])} | {errors} | {' | '.join(cells)} |"
        )
    return "\n".join(lines + _notes(doc["scenarios"]))


def _notes(rows: dict[str, Any]) -> list[str]:
    notes = []
    if any(row.get("http") == "llhttp" for row in rows.values()):
        notes.append(
            "http: tornado is Tornado's own HTTP server on asyncio's loop, llhttp the service's "
            "transport (httptools) on uvloop. Every ratio is to bare Tornado on Tornado's server; "
            "baseline-llhttp-* is the same bare app on llhttp."
        )
    if any(row["server"] == "minimal" for row in rows.values()):
        notes.append(
            "minimal-*: bench/minimal, bare Tornado plus only the store work and the log line "
            "every answer needs. The minimal app column is its ratio for the same request on the "
            "service's transport: about the most a service built this way can reach, so a target "
            "above it is out of reach."
        )
    return [line for note in notes for line in ("", note)]


def warnings(doc: dict[str, Any]) -> list[str]:
    """A WARNING line per problem: errors under load make a measurement meaningless."""
    lines = [f"WARNING: ratios {problem}" for problem in doc.get("problems", [])]
    if lines and doc.get("logs"):
        lines.append(f"WARNING: ratios: the servers' logs are in {doc['logs']}")
    return lines
