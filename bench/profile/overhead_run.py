"""`--overhead`: the same load with no profiler, with py-spy and with yappi, round after round."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bench.load.runner import RunResult
from bench.profile import overhead, pyspy_run, runjson, session, yappi_run
from bench.profile.options import ProfileRequest
from bench.profile.overhead import Sample
from bench.profile.pyspy import ONCPU


def _run_tool(req: ProfileRequest, tool: str, folder: Path) -> RunResult:
    if tool == "py-spy":
        # What a user would run: attached, the on-CPU recorder alone.
        outcome = pyspy_run.attach(req, folder, (ONCPU,)) or pyspy_run.launch(req, folder)
        return outcome.result
    if tool == "yappi":
        return yappi_run.one_pass(req, folder, folder, "wall").result
    with session.service(req, folder / "server.log") as svc:
        return session.drive(req, svc, folder)


def one_pass(req: ProfileRequest, folder: Path, round_no: int, tool: str) -> Sample:
    """One load under one profiler (or none), its reports in `round<N>-<tool>/`."""
    sub = folder / f"round{round_no}-{tool}"
    sub.mkdir(parents=True, exist_ok=True)
    print(f"profile: overhead round {round_no}/{req.rounds}: {tool}", flush=True)
    total = _run_tool(replace(req, launch=False, idle=False), tool, sub).report.stats.total
    return Sample(
        round_no, tool, round(total.rps, 1), total.pct(0.5), total.pct(0.99), total.failures
    )


def _page(req: ProfileRequest, table: str, samples: list[Sample]) -> str:
    load = f"--rate {req.rate:g}" if req.rate is not None else f"{req.user_count} users"
    lines = [
        f"# Profiler overhead: {req.scenario}",
        "",
        f"- load: scenario `{req.scenario}`, {load}, {req.duration_s:g} s a pass",
        f"- {req.rounds} round(s), the order rotated each round; the figures are medians; "
        "each round: throughput over no profiler's in that round",
        f"- py-spy: attached, the on-CPU recorder alone, {req.sampling.rate} Hz, "
        f"{'--nonblocking' if req.sampling.nonblocking else 'pausing the service per sample'}, "
        "on the generator's core",
        "- yappi: in the service, wall clock, the whole run",
        f"- pinning: {req.pinning.describe() if req.pinning else 'none'}",
        "",
        table,
        "",
        "## Every pass",
        "",
        "| round | profiler | rps | p50 ms | p99 ms | failures |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {s.round} | {s.tool} | {s.rps:.1f} | {s.p50_ms:g} | {s.p99_ms:g} | {s.failures} |"
        for s in samples
    ]
    return "\n".join(lines) + "\n"


def run(req: ProfileRequest, folder: Path) -> str:
    """Every round, then overhead.md, overhead.json and run.json; returns the table."""
    started_at = runjson.now()
    samples = [
        one_pass(req, folder, n + 1, tool) for n in range(req.rounds) for tool in overhead.order(n)
    ]
    doc = overhead.document(samples, req.rounds)
    table = overhead.table(doc["medians"], doc["cost"], doc["round_ratios"])
    (folder / "overhead.md").write_text(_page(req, table, samples))
    (folder / "overhead.json").write_text(json.dumps(doc, indent=1) + "\n")
    base = doc["medians"][overhead.BASELINE]
    reports = [
        {"title": "profiler overhead", "path": "overhead.md"},
        {"title": "profiler overhead (JSON)", "path": "overhead.json"},
    ]
    data = runjson.build(
        "overhead", replace(req, tool=None), started_at, reports=reports,
        rounds=req.rounds, cost=doc["cost"],
    )  # fmt: skip
    data.update(rps=base["rps"], p50_ms=base["p50_ms"], p99_ms=base["p99_ms"])
    data["failures"] = sum(s.failures for s in samples)
    runjson.write(folder, data)
    return table
