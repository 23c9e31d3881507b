"""A headless run's folder under profiles/: its name, and the summary made from locust's files."""

from __future__ import annotations

import json
import subprocess
import time
from importlib import metadata
from pathlib import Path

from bench import runs
from bench.load import slo, totals, workers
from bench.load.cpus import Pinning
from bench.load.options import LoadOptions
from bench.load.sampler import CpuUse
from bench.load.service import ROOT, Service
from bench.load.summary import OpenModel, Report, render

PROFILES = ROOT / "profiles"


def new_folder(options: LoadOptions) -> Path:
    """`profiles/<YYYYmmdd-HHMMSS>-<scenario>-<kind>/`, made afresh (or options.out_dir)."""
    if options.out_dir is not None:
        options.out_dir.mkdir(parents=True, exist_ok=True)
        return options.out_dir
    return runs.new_folder(PROFILES, f"{options.scenario}-{options.kind or options.model}")


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def _load(options: LoadOptions) -> str:
    if options.rate is not None:
        return f"open model: {options.rate:g} iterations/s, {options.user_count} generator user(s)"
    spawn = options.spawn_rate or options.user_count
    if options.shape is not None:
        return f"shape `{options.shape}` up to {options.user_count} users (spawn rate {spawn:g}/s)"
    return f"closed model: {options.user_count} users back to back (spawn rate {spawn:g}/s)"


def _generator(options: LoadOptions) -> str:
    if not options.distributed:
        return "one process"
    kinds = [(options.workers, "local"), (options.remote_workers, "remote")]
    return "master and " + " and ".join(f"{n} {kind}" for n, kind in kinds if n) + " worker(s)"


def _pinning(options: LoadOptions, pinning: Pinning | None) -> str:
    if pinning is None:
        return "pinning: none"
    if options.service_workers > 1:
        return (
            f"pinning: {options.service_workers} service workers on any core, "
            f"generator on cpu {','.join(map(str, pinning.generator))}"
        )
    return f"pinning: {pinning.describe()}"


def facts(
    options: LoadOptions, host: str, svc: Service | None, pinning: Pinning | None
) -> list[str]:
    """The lines at the top of summary.md: what ran, against what, where."""
    lines = [
        f"scenario `{options.scenario}`; {_load(options)}; run time {options.duration_s:g} s"
        + (f", the first {options.warmup_s:g} s not counted" if options.warmup_s > 0 else ""),
        f"service {host}"
        + (f", started here with store `{svc.store}`" if svc else ", already running (--host)")
        + (f", {len(svc.pids) - 1} worker processes" if svc and len(svc.pids) > 1 else ""),
        f"generator: locust {metadata.version('locust')}, {_generator(options)}",
        _pinning(options, pinning),
        f"commit {_commit()}, {time.strftime('%Y-%m-%d %H:%M:%S')}",
    ]
    return lines


def read_open_model(path: Path) -> OpenModel | None:
    """The open model's report (open.json), if the run had one."""
    if not path.exists():
        return None
    raw = json.loads(path.read_text())
    return OpenModel(
        target_rate=float(raw["target_rate"]),
        counts={k: float(v) for k, v in raw["counts"].items()},
        intended=totals.from_entries(raw["intended"]),
        lag=totals.from_entries(raw["lag"]),
    )


def build(options: LoadOptions, folder: Path, lines: list[str], cpu: CpuUse | None) -> Report:
    """Read locust's totals (and the open model's), check SLOs, write summary.md and .json."""
    totals_path = folder / "totals.json"
    stats = totals.load(totals_path) if totals_path.exists() else totals.from_entries([])
    title = f"Load run: {options.scenario}, {options.model}"
    report = Report(title, lines, stats, cpu, read_open_model(folder / "open.json"))
    report.workers = workers.read(folder / "workers.json")
    report.verdicts = slo.evaluate(options.slo, report.measured())
    (folder / "summary.md").write_text(render(report))
    (folder / "summary.json").write_text(json.dumps(report.as_dict(), indent=1) + "\n")
    return report
