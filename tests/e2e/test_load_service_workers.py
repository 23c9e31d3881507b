"""`./run.py load --service-workers N`: the harness's own service as a supervisor and N workers."""

from __future__ import annotations

import json
from pathlib import Path

import psutil

from tests.support.load import answers, last_line, run_load, service_port


def test_a_load_run_against_two_service_workers_has_no_failures_and_leaves_none_running(
    tmp_path: Path,
) -> None:
    out = tmp_path / "run"
    result = run_load(
        "--headless", "--scenario", "crud", "--users", "6", "--duration", "4s",
        "--service-workers", "2", "--slo", "error_rate=0", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert last_line(result.stdout) == str(out)
    entries = json.loads((out / "totals.json").read_text())
    assert sum(e["num_requests"] for e in entries) > 0
    assert sum(e["num_failures"] for e in entries) == 0
    summary = (out / "summary.md").read_text()
    assert ", 2 worker processes" in summary
    port = service_port(out / "summary.md")
    assert answers(port, "/healthz") is None
    flag = f"--port {port} "
    leftovers = [
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if flag in " ".join(p.info["cmdline"] or []) + " "
    ]
    assert leftovers == []  # the supervisor and both workers have ended


def test_service_workers_must_be_a_positive_number(tmp_path: Path) -> None:
    result = run_load("--headless", "--service-workers", "0", "--out", str(tmp_path / "run"))
    assert result.returncode == 2
    assert "--service-workers" in result.stderr
