"""Write a soak's folder: samples.csv, soak.json, soak.svg and summary.md."""

from __future__ import annotations

import csv
import json
from typing import Any

from bench.load.summary import ms
from bench.soak import plot
from bench.soak.figures import SAMPLE_COLUMNS, Soak, figures, sample_rows
from bench.soak.options import LOAD_FOLDER


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} MiB"


def render(soak: Soak, figs: dict[str, Any]) -> str:
    """summary.md: the verdict, each check, then the figures behind them."""
    o = soak.options
    rss, fds, errors = figs["rss"], figs["fds"], figs["server_5xx"]
    lines = [
        f"# Soak: {o.scenario}, {o.rate:g} iterations/s for {o.duration_s:g} s",
        "",
        f"**{'PASS' if soak.passed else 'FAIL'}**",
        "",
        *(f"- {c.line()}" for c in soak.checks),
        "",
        "## Figures",
        "",
        f"- warm-up {figs['warmup_s']:g} s (not judged); {figs['samples']} server samples, "
        f"one every {o.interval_s:g} s",
        f"- RSS: {_mib(rss['after_warmup_mib'])} after warm-up, {_mib(rss['end_mib'])} at the end, "
        f"peak {_mib(rss['peak_mib'])} (medians of the first and last fifth after warm-up)",
        f"- descriptors: {fds['idle_before']} idle before, {fds['idle_after']} idle after, "
        f"peak {fds['peak']} under load",
        f"- 5xx: {errors['server_log']} in the server's log, {errors['locust']} seen by locust",
        f"- requests: {figs['requests']} ({figs['rps']:g} req/s), {figs['failures']} failed",
        f"- latency from each request's actual start: p50 {ms(figs['latency_ms']['p50_ms'])} ms, "
        f"p99 {ms(figs['latency_ms']['p99_ms'])} ms, max {ms(figs['latency_ms']['max_ms'])} ms",
    ]
    if intended := figs["from_intended_start_ms"]:
        lines.append(
            f"- from each intended start: p50 {ms(intended['p50_ms'])} ms, "
            f"p99 {ms(intended['p99_ms'])} ms, max {ms(intended['max_ms'])} ms; "
            f"achieved {figs['achieved_rate']:g} of {o.rate:g} iterations/s, "
            f"{figs['dropped']} dropped"
        )
    if figs["generator_bound"]:
        lines.append("- **warning:** the generator was CPU-bound; see the load report")
    lines += [
        "",
        "## Files",
        "",
        "- `soak.svg`: server RSS and latency (p50, p99 over locust's ten-second window) over time",
        "- `samples.csv`: a row a second: RSS, descriptors, CPU, 5xx logged and failures so far",
        "- `soak.json`: the checks and these figures",
        f"- `{LOAD_FOLDER}/`: the load run's own report (summary.md, report.html, locust's CSVs, "
        "server.log)",
    ]
    return "\n".join(lines) + "\n"


def write(soak: Soak) -> None:
    """Write every file of the soak's folder (the load run wrote its own already)."""
    figs = figures(soak)
    with (soak.folder / "samples.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(SAMPLE_COLUMNS)
        out.writerows(sample_rows(soak))
    (soak.folder / "soak.json").write_text(json.dumps(figs, indent=1) + "\n")
    (soak.folder / "summary.md").write_text(render(soak, figs))
    latency = [(p.t, p.p50_ms, p.p99_ms) for p in soak.points]
    title = f"soak {soak.options.scenario} {soak.options.rate:g}/s"
    svg = plot.render(soak.observed.samples, latency, soak.options.warmup, title)
    (soak.folder / "soak.svg").write_bytes(svg)
