"""`./run.py load --headless`: report folders, SLO exit codes, the open model, workers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import StartServer
from tests.support.load import answers, last_line, run_load, service_port
from tests.support.server import TRANSPORTS


def totals(folder: Path) -> tuple[int, int]:
    entries = json.loads((folder / "totals.json").read_text())
    return sum(e["num_requests"] for e in entries), sum(e["num_failures"] for e in entries)


@pytest.mark.parametrize("http", TRANSPORTS)
def test_headless_run_on_its_own_service_has_no_failures_and_reports(
    tmp_path: Path, http: str
) -> None:
    out = tmp_path / "run"
    config = tmp_path / "console.yaml"  # the service's lines on its console: out/server.log
    config.write_text("server:\n  log_queue: false\n")
    result = run_load(
        "--headless", "--scenario", "crud", "--users", "4", "--duration", "3s",
        "--slo", "error_rate=0", "--out", str(out), "--http", http, "--config", str(config),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f" http={http} " in (out / "server.log").read_text()
    assert last_line(result.stdout) == str(out)
    requests, failures = totals(out)
    assert requests > 0
    assert failures == 0
    for name in ("report.html", "locust_stats.csv", "summary.md", "summary.json"):
        assert (out / name).stat().st_size > 0, name
    assert re.search(r"^\[\s*\d+s/3s\] .* req/s .* failures", result.stdout, re.M)  # progress
    assert "SLO error_rate <= 0: 0  pass" in result.stdout
    assert answers(service_port(out / "summary.md"), "/healthz") is None  # stopped afterwards


def test_impossible_slo_exits_1_naming_each_threshold(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server("--store", "memory://")
    out = tmp_path / "run"
    result = run_load(
        "--headless", "--host", f"http://127.0.0.1:{server.port}", "--users", "2",
        "--duration", "2s", "--slo", "min_rps=1000000,error_rate=0", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "SLO min_rps >= 1e+06: " in result.stdout
    assert "req/s  FAIL" in result.stdout
    assert "SLO error_rate <= 0: 0  pass" in result.stdout
    assert last_line(result.stdout) == str(out)
    assert totals(out)[1] == 0  # it failed on the threshold, not on requests


def test_malformed_slo_is_refused_before_any_load(tmp_path: Path) -> None:
    result = run_load("--headless", "--slo", "p90_ms=5", "--out", str(tmp_path / "run"))
    assert result.returncode == 2
    assert "unknown key 'p90_ms'" in result.stderr
    assert not (tmp_path / "run").exists()


def test_open_model_reports_achieved_rate_and_latency_from_both_starts(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server("--store", "memory://")
    out = tmp_path / "run"
    result = run_load(
        "--headless", "--host", f"http://127.0.0.1:{server.port}", "--scenario", "read-heavy",
        "--rate", "50", "--duration", "3s", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    open_model = json.loads((out / "summary.json").read_text())["open_model"]
    assert open_model["target_rate"] == 50
    assert 0 < open_model["achieved_rate"] <= 150  # generous: the machine is shared and noisy
    assert open_model["from_intended_start"]["requests"] > 0
    page = (out / "summary.md").read_text()
    assert "## Latency from each request's actual start" in page
    assert "### Latency from each request's intended start" in page
    assert "achieved of 50/s target; from intended start p50" in result.stdout


def test_two_local_workers_drive_the_load_under_one_master(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server("--store", "memory://")
    out = tmp_path / "run"
    result = run_load(
        "--headless", "--host", f"http://127.0.0.1:{server.port}", "--workers", "2",
        "--users", "4", "--duration", "3s", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    requests, failures = totals(out)
    assert requests > 0
    assert failures == 0
    assert "master and 2 local worker(s)" in (out / "summary.md").read_text()


def test_list_names_every_scenario_and_shape() -> None:
    result = run_load("--list")
    assert result.returncode == 0
    for name in ("crud", "read-heavy", "write-heavy", "list", "bad-input", "step", "spike"):
        assert f"  {name} " in result.stdout
