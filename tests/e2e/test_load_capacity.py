"""`./run.py load --find-capacity`: a short real search, its folder and picture, its exit codes."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.load import answers, last_line, run_load, service_port

NS = {"svg": "http://www.w3.org/2000/svg"}
SHORT = ("--step-duration", "3s", "--warmup", "1s", "--scenario", "crud")


@pytest.mark.timeout(240)
def test_a_short_search_steps_up_and_draws_each_step_within_its_time_limit(
    tmp_path: Path,
) -> None:
    out = tmp_path / "run"
    began = time.monotonic()
    result = run_load(
        "--find-capacity", *SHORT, "--store", "memory://", "--slo", "p99_ms=5000,error_rate=0.5",
        "--start-rate", "10", "--max-duration", "30s", "--out", str(out), timeout=180,
    )  # fmt: skip
    took = time.monotonic() - began
    assert result.returncode == 0, result.stdout + result.stderr
    assert last_line(result.stdout) == str(out)
    assert took < 30 + 60, took  # its own bound, and generous room for a busy machine's stops
    found = json.loads((out / "capacity.json").read_text())
    steps = found["steps"]
    assert steps[0]["offered"] == 10
    assert [s["offered"] for s in steps] == [10 * 2**i for i in range(len(steps))]
    assert all(s["status"] == "pass" and s["requests"] > 0 for s in steps), steps
    assert found["capacity_rate"] == steps[-1]["offered"]
    assert found["capacity_rps"] > 0
    assert "capacity: no step missed the SLO" in result.stdout  # the time ran out first
    for step in steps:
        folder = out / "steps" / step["folder"]
        assert "the first 1 s not counted" in (folder / "summary.md").read_text()
        assert json.loads((folder / "summary.json").read_text())["open_model"]["target_rate"]
    summary = (out / "summary.md").read_text()
    assert "## Steps, in the order they ran" in summary
    svg = ET.parse(out / "capacity.svg").getroot()  # noqa: S314  (our own output)
    series = {p.get("data-series") for p in svg.iterfind(".//svg:polyline", NS)}
    assert series == {"p50", "p95", "p99", "achieved"}
    knee = svg.find(".//svg:g[@data-knee]", NS)
    assert knee is not None
    assert float(str(knee.get("data-knee"))) == found["capacity_rate"]
    assert answers(service_port(out / "summary.md"), "/healthz") is None  # stopped afterwards


@pytest.mark.timeout(240)
def test_an_slo_no_step_can_meet_exits_1_with_several_service_workers(tmp_path: Path) -> None:
    out = tmp_path / "run"
    # Several workers share a sqlite file (the default store), never the memory store.
    result = run_load(
        "--find-capacity", *SHORT, "--slo", "p99_ms=0", "--service-workers", "2",
        "--start-rate", "10", "--max-duration", "20s", "--out", str(out), timeout=180,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "even the lowest step, 10/s, missed the SLO" in result.stdout
    assert last_line(result.stdout) == str(out)
    found = json.loads((out / "capacity.json").read_text())
    assert found["capacity_rps"] is None
    assert len(found["steps"]) == 1
    assert found["settings"]["service_workers"] == 2
    assert "2 worker processes" in (out / "summary.md").read_text()
    assert (out / "capacity.svg").is_file()


def test_a_malformed_slo_exits_2_before_any_load(tmp_path: Path) -> None:
    result = run_load("--find-capacity", "--slo", "p99=5", "--out", str(tmp_path / "run"))
    assert result.returncode == 2
    assert "unknown key 'p99'" in result.stderr
    assert not (tmp_path / "run").exists()
