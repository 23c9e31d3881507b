"""A py-spy or yappi run: the tool, its pictures, run.json, and what it saw in a few lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.load.summary import ms
from bench.profile import collapsed, pictures, pyspy_run, runjson, yappi_run
from bench.profile.options import ProfileRequest
from bench.profile.pyspy import TITLES

TOP = 5
"""How many frames of the first picture's self time the run prints."""


def load_reports(folder: Path, load_folder: Path, label: str = "") -> list[dict[str, Any]]:
    """run.json entries for the locust summary and report of one load pass, where they exist."""
    entries = [
        (f"load summary{label}", load_folder / "summary.md"),
        (f"locust report{label}", load_folder / "report.html"),
        (f"service log{label}", load_folder / "server.log"),
    ]
    return [
        {"title": title, "path": str(path.relative_to(folder))}
        for title, path in entries
        if path.is_file()
    ]


def _pyspy(req: ProfileRequest, folder: Path) -> dict[str, Any]:
    started_at = runjson.now()
    outcome = pyspy_run.run(req, folder)
    per_sample_ms = 1000 / req.sampling.rate
    drawn, numbers = [], {}
    for name, counts in outcome.counts.items():
        samples, errors = counts if counts else (None, None)
        svg_title = (
            f"{TITLES[name]}: {req.scenario}, {req.duration_s:g} s, {outcome.mode}, "
            f"{samples} samples at {req.sampling.rate} Hz, {errors} errors"
        )
        drawn.append(
            pictures.make(folder, name, TITLES[name], svg_title, "milliseconds", per_sample_ms)
        )
        numbers[name] = pictures.stats(folder, name, "samples", samples=samples, errors=errors)
    return runjson.build(
        "profile", req, started_at, outcome.result.report.stats.total, outcome.mode, drawn,
        load_reports(folder, folder), stats=numbers, sample_rate=req.sampling.rate,
        native=req.sampling.native, gil=req.sampling.gil, nonblocking=req.sampling.nonblocking,
    )  # fmt: skip


def _yappi(req: ProfileRequest, folder: Path) -> dict[str, Any]:
    started_at = runjson.now()
    passes = yappi_run.run(req, folder)
    drawn, reports, per_pass, numbers = [], [], [], {}
    for p in passes:
        name, title = f"yappi-{p.clock}", f"yappi {p.clock}"
        svg_title = f"yappi, {p.clock} clock: {req.scenario}, {req.duration_s:g} s (µs)"
        drawn.append(pictures.make(folder, name, title, svg_title, "microseconds", 1.0, True))
        numbers[name] = pictures.stats(folder, name, "microseconds")
        reports += yappi_run.reports(p.clock)
        label = f" ({p.clock} pass)" if len(passes) > 1 else ""
        reports += load_reports(folder, p.load_folder, label)
        load = runjson.load_numbers(p.result.report.stats.total)
        per_pass.append(
            {"clock": p.clock, "folder": str(p.load_folder.relative_to(folder)), **load}
        )
    return runjson.build(
        "profile", req, started_at, passes[0].result.report.stats.total, None, drawn, reports,
        stats=numbers, clocks=list(req.clocks), passes=per_pass,
    )  # fmt: skip


def run(req: ProfileRequest, folder: Path) -> dict[str, Any]:
    """Profile with the request's tool into `folder`; returns the run.json it wrote."""
    data = _pyspy(req, folder) if req.tool == "py-spy" else _yappi(req, folder)
    runjson.write(folder, data)
    return data


def summary(folder: Path, data: dict[str, Any]) -> list[str]:
    """The lines printed after a run: the load, each picture, the first picture's top frames."""
    lines = [
        f"profile: {data['tool']} ({data['mode'] or 'in the service'}), {data['scenario']}: "
        f"{data['rps']} req/s, p50 {ms(data['p50_ms'])} p99 {ms(data['p99_ms'])} ms, "
        f"{data['failures']} failures"
    ]
    for p in data["pictures"]:
        numbers = data["stats"].get(Path(p["collapsed"]).stem, {})
        counts = (
            f": {numbers['samples']} samples, {numbers['errors']} errors"
            if "samples" in numbers
            else ""
        )
        lines.append(f"profile: {p['title']} -> {p['svg']}{counts}")
    if data["pictures"]:
        first = data["pictures"][0]
        lines.append(f"profile: {first['title']}, most self time:")
        for frame, _, share in collapsed.top(collapsed.read(folder / first["collapsed"]), TOP):
            lines.append(f"  {share:6.1%}  {frame}")
    return lines
