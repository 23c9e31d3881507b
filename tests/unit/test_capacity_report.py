"""A capacity search's files: the printed rows, capacity.json, summary.md, and the index's row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.capacity import report
from bench.capacity.driver import Settings, write_results
from bench.capacity.verdict import Judged, Step, decide, judge
from bench.load.options import LoadOptions
from bench.profile.catalog import read_folder
from bench.profile.history import read_history
from bench.profile.index import write_index
from bench.results import read_run
from tests.support.bench_runs import save

SLO = {"p99_ms": 50.0, "error_rate": 0.01}
RUN = "20261207-100000-crud-capacity"


def searched() -> list[Judged]:
    rows = [
        Step(100, 100, 450, 1.0, 2.0, 4.0, 0.0, 900, 20.0, 25.0, "01-100"),
        Step(200, 199.5, 901.2, 1.1, 3.0, 9.0, 0.0, 1800, 30.0, 50.0, "02-200"),
        Step(400, 380, 1710, 40.0, 300.0, 700.0, 0.0, 3600, 45.0, 99.0, "03-400"),
        Step(300, 299, 1346, 2.0, 9.0, 31.0, 0.0, 2700, 40.0, 80.0, "04-300"),
    ]
    return [judge(s, SLO) for s in rows]


def test_each_printed_row_lines_up_under_the_header() -> None:
    lines = [report.step_line(n, j) for n, j in enumerate(searched(), 1)]
    assert "FAIL (p99_ms 700 > 50)" in lines[2]
    header_cols = [report.HEADER.index(h) + len(h) for h in ("offered/s", "p99 ms", "service CPU")]
    assert lines[0][header_cols[0] - 3 : header_cols[0]] == "100"  # right-aligned under it
    assert lines[2][header_cols[1] - 3 : header_cols[1]] == "700"
    assert lines[1][header_cols[2] - 3 : header_cols[2]] == "50%"


def test_capacity_json_holds_the_capacity_in_requests_per_second_and_every_step() -> None:
    judged = searched()
    data = report.as_json(judged, decide(judged, SLO, False), SLO, {"scenario": "crud"})
    assert data["capacity_rate"] == 300
    assert data["capacity_rps"] == 1346
    assert data["knee_rate"] == 400
    assert [s["status"] for s in data["steps"]] == ["pass", "pass", "FAIL", "pass"]
    assert data["steps"][2]["reasons"] == ["p99_ms 700 > 50"]
    json.dumps(data)  # plain JSON


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    folder = tmp_path / RUN
    folder.mkdir()
    judged = searched()
    options = LoadOptions(scenario="crud", slo=SLO, service_workers=2)
    facts = ["scenario `crud`", "commit 1234abcd, 2026-12-07 10:00:00"]
    write_results(folder, options, Settings(), judged, decide(judged, SLO, False), facts)
    return folder


def test_the_run_folder_holds_the_picture_the_summary_and_the_json(run_folder: Path) -> None:
    summary = (run_folder / "summary.md").read_text()
    assert "capacity: 300/s (1346 req/s) is the highest rate tried" in summary
    assert "![p50, p95 and p99 against the offered rate](capacity.svg)" in summary
    assert "| [3](steps/03-400/summary.md) | 400 |" in summary
    assert (run_folder / "capacity.svg").read_text().startswith("<svg")
    assert json.loads((run_folder / "capacity.json").read_text())["capacity_rps"] == 1346


def test_a_capacity_run_is_listed_in_the_index_with_its_picture(run_folder: Path) -> None:
    entry = read_folder(run_folder)
    assert (entry.kind, entry.scenario, entry.mode) == ("capacity", "crud", "2 service workers")
    assert (entry.rps, entry.p99_ms, entry.commit) == (1346, 31.0, "1234abcd")
    assert [p.svg.href for p in entry.pictures] == [f"{RUN}/capacity.svg"]
    page = write_index(run_folder.parent).read_text()
    assert f'<img src="{RUN}/capacity.svg"' in page


def test_a_bench_capacity_run_shows_each_scenarios_picture_and_its_figures(tmp_path: Path) -> None:
    doc = {"scenarios": {"crud": {"capacity_rps": 1346.0}, "list": {"capacity_rps": None}}}
    folder = save(tmp_path, "20261207-110000-bench-capacity", capacity_json=doc)
    (folder / "capacity" / "crud").mkdir(parents=True)
    (folder / "capacity" / "crud" / "capacity.svg").write_text("<svg/>")
    entry = read_folder(folder)
    assert [(p.title, p.svg.href) for p in entry.pictures] == [
        ("capacity crud", f"{folder.name}/capacity/crud/capacity.svg")
    ]
    assert {m.name: m.value for m in read_run(folder).metrics.values()} == {"capacity crud": 1346}
    assert [s.name for s in read_history(tmp_path).series] == ["capacity crud"]


def test_a_bench_run_whose_every_capacity_is_null_has_no_figure(tmp_path: Path) -> None:
    folder = save(tmp_path, "20261207-120000-bench-capacity",
                  capacity_json={"scenarios": {"crud": {"capacity_rps": None}}})  # fmt: skip
    with pytest.raises(ValueError, match=r"capacity\.json"):
        read_run(folder)
