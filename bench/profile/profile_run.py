"""A py-spy or yappi run: the tool, its pictures, run.json, and what it saw in a few lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.load.runner import RunResult
from bench.load.summary import ms
from bench.profile import collapsed, layer_table, pictures, pyspy_run, runjson, waits, yappi_run
from bench.profile.options import ProfileRequest
from bench.profile.pyspy import IDLE, ONCPU, TITLES

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


def _layers(folder: Path, name: str, result: RunResult, keep_waits: bool) -> dict[str, Any] | None:
    """The layer table of picture `name`, known waits left out unless `keep_waits`."""
    path = folder / f"{name}.collapsed"
    if not path.is_file():
        return None
    stacks = collapsed.read(path)
    if not keep_waits:
        stacks = collapsed.Stacks({s: n for s, n in stacks.items() if not waits.is_waiting(s)})
    total = result.report.stats.total
    return layer_table.build(name, stacks, result.service_cpu_s, total.requests if total else 0)


def _on_cpu(req: ProfileRequest, outcome: pyspy_run.Outcome, folder: Path) -> dict[str, Any]:
    """What the on-CPU picture kept and dropped, and the share of known waits in it."""
    path = folder / f"{ONCPU}.collapsed"
    stacks = collapsed.read(path) if path.is_file() else collapsed.Stacks()
    kept = collapsed.total(stacks)
    ticks = round(req.sampling.rate * outcome.seconds.get(ONCPU, 0.0))
    return {
        "gil": req.sampling.gil,
        "kept": kept,
        "ticks": ticks,
        "dropped": max(0, ticks - kept) if req.sampling.gil else 0,
        "waiting_share": round(waits.waiting_share(stacks), 4),
    }


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
    on_cpu = _on_cpu(req, outcome, folder) if ONCPU in outcome.counts else None
    # The wall picture (launch mode with --idle) is all there is: its waits are not work.
    source, keep = (ONCPU, True) if on_cpu is not None else (IDLE, False)
    return runjson.build(
        "profile", req, started_at, outcome.result.report.stats.total, outcome.mode, drawn,
        load_reports(folder, folder), stats=numbers, sample_rate=req.sampling.rate,
        native=req.sampling.native, gil=req.sampling.gil, nonblocking=req.sampling.nonblocking,
        on_cpu=on_cpu, layers=_layers(folder, source, outcome.result, keep),
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
    # The CPU clock's picture is work only; the wall clock's also holds the time spent waiting.
    source = next((p for p in passes if p.clock == "cpu"), passes[0])
    layers = _layers(folder, f"yappi-{source.clock}", source.result, source.clock == "cpu")
    return runjson.build(
        "profile", req, started_at, passes[0].result.report.stats.total, None, drawn, reports,
        stats=numbers, clocks=list(req.clocks), passes=per_pass, layers=layers,
    )  # fmt: skip


def run(req: ProfileRequest, folder: Path) -> dict[str, Any]:
    """Profile with the request's tool into `folder`; returns the run.json it wrote."""
    data = _pyspy(req, folder) if req.tool == "py-spy" else _yappi(req, folder)
    runjson.write(folder, data)
    return data


def _on_cpu_line(on_cpu: dict[str, Any]) -> str:
    waiting = f"known waits {on_cpu['waiting_share']:.1%} of it"
    if not on_cpu["gil"]:
        return f"profile: on-CPU: every thread sampled (--no-gil); {waiting}"
    return (
        f"profile: on-CPU kept {on_cpu['kept']} samples of about {on_cpu['ticks']}: "
        f"{on_cpu['dropped']} dropped because no thread held the GIL (the loop waiting for "
        f"I/O, threads waiting, C code that lets the GIL go, such as sqlite3's); {waiting}"
    )


def _layer_lines(data: dict[str, Any]) -> list[str]:
    table = data.get("layers")
    if not table:
        return ["profile: no layer table: the picture holds no samples"]
    source = "process CPU over requests served" if table["cpu_us_per_request"] else "no CPU"
    head = f"profile: where the time goes, by layer ({table['picture']}; µs: {source}):"
    return [head, *("  " + line for line in layer_table.lines(table))]


def write_summary(folder: Path, data: dict[str, Any], lines: list[str]) -> Path:
    """summary.md: the printed lines and the layer table in Markdown, after the load's summary
    when the load wrote one there (py-spy's runs), else on their own."""
    path = folder / "summary.md"
    head = [*path.read_text().rstrip("\n").split("\n"), ""] if path.is_file() else []
    head = head or [f"# {folder.name}", ""]
    out = [*head, "## Profile", "", "```", *lines, "```"]
    if table := data.get("layers"):
        out += ["", f"## Where the time goes, by layer ({table['picture']})", ""]
        out += layer_table.markdown(table)
        out += ["", "Layers are mapped by module in bench/profile/layers.py."]
    path.write_text("\n".join(out) + "\n")
    if not any(r.get("path") == path.name for r in data["reports"]):
        data["reports"].append({"title": "summary", "path": path.name})
        runjson.write(folder, data)
    return path


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
    if on_cpu := data.get("on_cpu"):
        lines.append(_on_cpu_line(on_cpu))
    lines += _layer_lines(data)
    write_summary(folder, data, lines)
    return lines
