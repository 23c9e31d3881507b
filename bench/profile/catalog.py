"""What each run folder under profiles/ holds, read for the index; a bad folder never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from bench.profile import fields

RUN_JSON = "run.json"  # profile, diff and overhead runs (bench/profile)
LOAD_SUMMARY = "summary.json"  # load runs (bench/load)
BENCH_META = "meta.json"  # bench runs (bench/__main__.py)
CAPACITY = "capacity.json"  # capacity searches (bench/capacity); bench runs may hold one too
PROFILING_KINDS = ("profile", "diff", "overhead")

_STAMP = re.compile(r"^(\d{8}-\d{6})")
_LOAD_TITLE = re.compile(r"^Load run: (.+), ([^,]+)$")
_COMMIT_FACT = re.compile(r"^- commit ([0-9a-f]{4,40})\b", re.MULTILINE)
_LOAD_FILES = ("summary.md", "report.html", "summary.json", "server.log")
_CAPACITY_FILES = ("summary.md", "capacity.json", "server.log")
_BENCH_FILES = (
    "summary.md", "compare.md", "micro.json", "load.json", "ratios.json", "capacity.json",
    "meta.json",
)  # fmt: skip
_MAX_LISTED = 12  # files listed for a folder the index cannot otherwise read


@dataclass(frozen=True)
class Link:
    """A file of a run: `href` is its path from the profiles root, None when it cannot be linked."""

    label: str
    href: str | None
    note: str = ""


@dataclass(frozen=True)
class Picture:
    """A flame graph (or other SVG) and the files it was drawn from."""

    title: str
    svg: Link
    downloads: tuple[Link, ...] = ()


@dataclass
class LayerRow:
    """One row of a run's layer table: the share and CPU µs per request, or a diff's change."""

    layer: str
    share: float | None = None
    us: float | None = None
    change: float | None = None


@dataclass
class Entry:
    """One run folder as the index shows it; `problems` says what could not be read."""

    folder: str
    when: datetime
    kind: str
    scenario: str | None = None
    tool: str | None = None
    mode: str | None = None
    rps: float | None = None
    p99_ms: float | None = None
    failures: int | None = None
    commit: str | None = None
    pictures: list[Picture] = field(default_factory=list)
    reports: list[Link] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    layers: list[LayerRow] = field(default_factory=list)

    @property
    def profiling(self) -> bool:
        return self.kind in PROFILING_KINDS


def scan(root: Path) -> list[Entry]:
    """Every run folder under `root`, newest first."""
    entries = [read_folder(p) for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return sorted(entries, key=lambda e: (e.when, e.folder), reverse=True)


def read_folder(folder: Path) -> Entry:
    """The entry of one folder: a profile, load or bench run, or one listed with its problem."""
    entry = Entry(folder.name, run_time(folder), kind="?")
    try:
        if (folder / RUN_JSON).is_file():
            _read_profile(entry, folder, fields.json_object(folder / RUN_JSON))
        elif (folder / LOAD_SUMMARY).is_file():
            _read_load(entry, folder, fields.json_object(folder / LOAD_SUMMARY))
        elif (folder / BENCH_META).is_file():
            _read_bench(entry, folder, fields.json_object(folder / BENCH_META))
        elif (folder / CAPACITY).is_file():
            _read_capacity(entry, folder, fields.json_object(folder / CAPACITY))
        else:
            entry.problems.append(f"no {RUN_JSON}: an unfinished run, or not a run at all")
            entry.reports = _any_files(folder)
    except (OSError, ValueError, RecursionError) as e:
        entry.problems.append(str(e) or type(e).__name__)
        entry.reports = _any_files(folder)
    return entry


def _read_profile(entry: Entry, folder: Path, run: dict[str, Any]) -> None:
    entry.kind = fields.text(run.get("kind")) or "?"
    if entry.kind not in PROFILING_KINDS:
        entry.problems.append(f"{RUN_JSON}: unknown kind {entry.kind!r}")
    entry.scenario, entry.tool = fields.text(run.get("scenario")), fields.text(run.get("tool"))
    entry.mode = fields.text(run.get("mode"))
    entry.rps, entry.p99_ms = fields.number(run.get("rps")), fields.number(run.get("p99_ms"))
    entry.failures = fields.count(run.get("failures"))
    entry.commit = fields.commit(run.get("commit"), run.get("dirty"))
    if not _STAMP.match(folder.name) and (started := fields.started_at(run.get("started_at"))):
        entry.when = started
    for item in _list(entry, run, "pictures"):
        title = fields.text(item.get("title")) or "picture"
        downloads = tuple(
            _link(folder, key, value)
            for key, value in item.items()
            if key not in ("title", "svg") and value is not None
        )
        entry.pictures.append(Picture(title, _link(folder, "svg", item.get("svg")), downloads))
    for item in _list(entry, run, "reports"):
        entry.reports.append(
            _link(folder, fields.text(item.get("title")) or "report", item.get("path"))
        )
    entry.reports.append(_link(folder, RUN_JSON, RUN_JSON))
    _read_layers(entry, run)


def _read_layers(entry: Entry, run: dict[str, Any]) -> None:
    """A profile's layer table, or a diff's per-layer change; what is unreadable is left out."""
    table = run.get("layers")
    rows = table.get("rows") if isinstance(table, dict) else run.get("layers_diff")
    if not isinstance(rows, list):
        return
    for row in rows:
        if isinstance(row, dict) and (layer := fields.text(row.get("layer"))):
            entry.layers.append(
                LayerRow(
                    layer,
                    fields.number(row.get("share")),
                    fields.number(row.get("us", row.get("us_b"))),
                    fields.number(row.get("change")),
                )
            )


def _read_load(entry: Entry, folder: Path, summary: dict[str, Any]) -> None:
    entry.kind = "load"
    title = _LOAD_TITLE.match(fields.text(summary.get("title")) or "")
    if title:
        entry.scenario, entry.mode = title.groups()
    totals = summary.get("totals")
    if isinstance(totals, dict):
        entry.rps, entry.p99_ms = (
            fields.number(totals.get("rps")),
            fields.number(totals.get("p99_ms")),
        )
        entry.failures = fields.count(totals.get("failures"))
    try:
        commit = _COMMIT_FACT.search((folder / "summary.md").read_text(errors="replace"))
        entry.commit = commit.group(1) if commit else None
    except OSError:
        pass  # summary.md is optional here: the numbers came from summary.json
    entry.reports = [_link(folder, name, name) for name in _LOAD_FILES if (folder / name).is_file()]


def _read_bench(entry: Entry, folder: Path, meta: dict[str, Any]) -> None:
    entry.kind = "bench"
    what = re.search(r"-bench-([\w-]+)$", folder.name)
    entry.scenario = what.group(1) if what else None
    entry.commit = fields.commit(meta.get("commit"), meta.get("dirty"))
    for svg in sorted(folder.glob("histogram-*.svg")):
        title = svg.stem.removeprefix("histogram-").replace("_", " ")
        entry.pictures.append(Picture(title, _link(folder, "svg", svg.name)))
    for svg in sorted(folder.glob("capacity/*/capacity.svg")):
        rel = svg.relative_to(folder).as_posix()
        entry.pictures.append(Picture(f"capacity {svg.parent.name}", _link(folder, "svg", rel)))
    entry.reports = [_link(folder, n, n) for n in _BENCH_FILES if (folder / n).is_file()]


def _read_capacity(entry: Entry, folder: Path, found: dict[str, Any]) -> None:
    """A capacity search: its rps and p99 are those at the capacity (none when none was found)."""
    entry.kind = "capacity"
    settings = found.get("settings")
    if isinstance(settings, dict):
        entry.scenario = fields.text(settings.get("scenario"))
        workers = fields.count(settings.get("service_workers"))
        entry.mode = f"{workers} service workers" if workers and workers > 1 else "1 process"
    entry.rps = fields.number(found.get("capacity_rps"))
    entry.p99_ms = fields.number(found.get("p99_ms_at_capacity"))
    try:
        commit = _COMMIT_FACT.search((folder / "summary.md").read_text(errors="replace"))
        entry.commit = commit.group(1) if commit else None
    except OSError:
        pass
    entry.pictures.append(Picture("capacity", _link(folder, "svg", "capacity.svg")))
    entry.reports = [_link(folder, n, n) for n in _CAPACITY_FILES if (folder / n).is_file()]


def _link(folder: Path, label: str, rel: Any) -> Link:
    """A link to `rel` inside `folder`; not linked when it is missing or points elsewhere."""
    if not isinstance(rel, str) or not rel:
        return Link(label, None, "not named")
    path = PurePosixPath(rel)
    # A colon would make a URL of it (https:, javascript:): runs name plain files only.
    if path.is_absolute() or ".." in path.parts or any(c in rel for c in ":\\"):
        return Link(label, None, "not a path inside the run folder")
    if not (folder / path).is_file():
        return Link(label, None, f"missing: {rel}")
    return Link(label, f"{folder.name}/{path}")


def _any_files(folder: Path) -> list[Link]:
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
    except OSError:
        return []
    return [_link(folder, name, name) for name in names[:_MAX_LISTED]]


def _list(entry: Entry, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key) or []
    good = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    if not isinstance(items, list) or len(good) != len(items):
        entry.problems.append(f"{RUN_JSON}: some {key} are not readable")
    return good


def run_time(folder: Path) -> datetime:
    """The run's local start time, from the folder's name (or its modification time)."""
    stamp = _STAMP.match(folder.name)
    if stamp:
        try:
            return datetime.strptime(stamp.group(1), "%Y%m%d-%H%M%S")
        except ValueError:
            pass  # digits that are no date: fall through
    try:
        return datetime.fromtimestamp(folder.stat().st_mtime)
    except OSError:
        return datetime.min
