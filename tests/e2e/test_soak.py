"""`./run.py soak`: a one-minute soak passes and leaves its figures; a 5xx during one fails it."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.soak.errors import server_5xx
from tests.support.faults import write_lock
from tests.support.load import answers, last_line, run_target, service_port
from tests.support.server import REPO, wait_until

SQLITE_BUSY_TIMEOUT_S = 5  # a write waits this long for the lock before the store gives up


@pytest.mark.timeout(300)
def test_sixty_second_soak_passes_and_leaves_plot_samples_and_figures(tmp_path: Path) -> None:
    out = tmp_path / "soak"
    result = run_target("soak", "--duration", "60s", "--rate", "50", "--out", str(out), timeout=280)
    assert result.returncode == 0, result.stdout + result.stderr
    assert last_line(result.stdout) == str(out)
    for name in ("rss", "descriptors", "server errors", "request failures"):
        assert f"PASS {name}: " in result.stdout

    figures = json.loads((out / "soak.json").read_text())
    assert figures["passed"] is True
    assert [c["name"] for c in figures["checks"] if not c["passed"]] == []
    assert figures["warmup_s"] == 12  # a fifth of the run
    assert 55 <= figures["samples"] <= 75  # one a second, plus locust's start and stop
    assert figures["rss"]["after_warmup_mib"] > 1
    assert abs(figures["rss"]["growth"]) <= 0.10
    assert figures["requests"] > 60 * 50  # about five requests an iteration in crud
    assert figures["failures"] == 0
    assert figures["server_5xx"] == {"server_log": 0, "locust": 0}
    assert figures["fds"]["idle_after"] <= figures["fds"]["idle_before"] + 4

    with (out / "samples.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == figures["samples"]
    assert all(int(r["rss_bytes"]) > 0 and int(r["fds"]) > 0 for r in rows)
    assert float(rows[-1]["t_s"]) >= 55

    svg = (out / "soak.svg").read_text()
    assert "<svg" in svg
    assert "server RSS (MiB)" in svg
    assert "p99 latency (ms)" in svg
    assert "**PASS**" in (out / "summary.md").read_text()
    assert (out / "load" / "report.html").stat().st_size > 0
    port = service_port(out / "load" / "summary.md")
    assert answers(port, "/healthz") is None  # the service it started is stopped


def _tasks_written(db: Path) -> bool:
    try:
        with sqlite3.connect(db) as conn:
            (count,) = conn.execute("SELECT count(*) FROM tasks").fetchone()
        conn.close()
    except sqlite3.Error:
        return False  # not made yet, or busy
    return int(count) > 0


def _hold_write_lock_until(db: Path, done: Callable[[], bool], timeout: float) -> None:
    """Take the write lock between two of the server's writes; keep it until `done()` (at most
    `timeout` seconds: the test then fails on what it finds)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            with write_lock(db):
                wait_until(done, timeout=timeout)
                return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@pytest.mark.timeout(180)
def test_a_5xx_during_the_soak_fails_it_with_exit_1(tmp_path: Path) -> None:
    # A real fault, not a knob: a long transaction elsewhere holds the database's write lock past
    # the store's busy timeout, so the write waiting behind it gets a 503. The lock is held until
    # the server has logged that 503, and the soak runs long enough for it to land well inside
    # the load (locust's clock starts before its first request, later on a busy machine), so that
    # locust counts it too and a sample after it shows it.
    db, out = tmp_path / "tasks.db", tmp_path / "soak"
    cmd = [sys.executable, str(REPO / "run.py"), "soak", "--duration", "20s", "--warmup", "2s"]
    cmd += ["--rate", "20", "--store", f"sqlite:///{db}", "--out", str(out)]
    with subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert wait_until(lambda: _tasks_written(db), timeout=60, step=0.05)
            logged = out / "load" / "server.log"
            _hold_write_lock_until(db, lambda: bool(server_5xx(logged)), SQLITE_BUSY_TIMEOUT_S + 25)
            stdout, _ = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:  # SIGTERM lets the soak stop locust and the service first
                proc.terminate()
                try:
                    proc.wait(timeout=90)
                except subprocess.TimeoutExpired:
                    proc.kill()
    assert proc.returncode == 1, stdout
    assert last_line(stdout) == str(out)
    assert "FAIL server errors: " in stdout
    figures = json.loads((out / "soak.json").read_text())
    assert figures["passed"] is False
    assert figures["server_5xx"]["server_log"] >= 1
    assert figures["server_5xx"]["locust"] >= 1
    with (out / "samples.csv").open(newline="") as f:
        assert int(list(csv.DictReader(f))[-1]["server_5xx"]) >= 1  # the error, over time
    assert "**FAIL**" in (out / "summary.md").read_text()


def test_a_warm_up_leaving_too_little_to_judge_is_refused_before_any_load(
    tmp_path: Path,
) -> None:
    out = tmp_path / "soak"
    result = run_target("soak", "--duration", "10s", "--warmup", "8s", "--out", str(out))
    assert result.returncode == 2
    assert "leaves under 5s of the run to judge" in result.stderr
    assert not out.exists()


def test_help_names_the_soak_options() -> None:
    result = run_target("soak", "--help")
    assert result.returncode == 0
    for option in ("--duration", "--rate", "--scenario", "--warmup", "--store", "--out"):
        assert option in result.stdout
