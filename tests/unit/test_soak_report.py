"""A soak's folder: samples.csv over time, soak.json's figures, summary.md's verdict, the plot."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from bench.load import totals
from bench.load.summary import Report
from bench.soak import report
from bench.soak.figures import Soak, sample_rows
from bench.soak.history import Point
from bench.soak.options import SoakOptions
from bench.soak.sampler import Sample
from bench.soak.verdict import judge
from bench.soak.watch import Observed

MIB = 2**20
STARTED = 1_000_000.0


def _report(requests: int, failures: int) -> Report:
    entry = {
        "name": "/tasks",
        "method": "POST",
        "num_requests": requests,
        "num_failures": failures,
        "start_time": STARTED,
        "last_request_timestamp": STARTED + 10,
        "max_response_time": 9.0,
        "response_times": {"2.0": requests - 1, "9.0": 1},
    }
    return Report("load", [], totals.from_entries([entry]))


def _soak(tmp_path: Path, server_5xx: list[float], failures: int) -> Soak:
    samples = [Sample(float(t), (40 + t % 2) * MIB, 20 + t, 30.0) for t in range(11)]
    observed = Observed(4242, STARTED, 12, 13, samples)
    points = [Point(2.0, 3.0, 9.0, 100, 0), Point(6.0, 3.0, 9.0, 400, failures)]
    soak = Soak(
        SoakOptions(duration_s=10, rate=20, warmup_s=2),
        tmp_path,
        observed,
        points,
        [STARTED + t for t in server_5xx],
        len(server_5xx),
        _report(1000, failures),
    )
    soak.checks = judge(samples, 2, 12, 13, soak.server_errors, failures)
    return soak


def test_samples_carry_the_5xx_and_failures_counted_by_each_second(tmp_path: Path) -> None:
    soak = _soak(tmp_path, server_5xx=[4.5, 7.2], failures=2)
    rows = sample_rows(soak)
    assert len(rows) == 11
    assert [r[4] for r in rows] == [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2]  # 5xx logged by then
    assert [r[5] for r in rows] == [0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2]  # locust's failures
    assert rows[3][:3] == (3.0, 41 * MIB, 23)


def test_clean_soak_writes_every_file_and_passes(tmp_path: Path) -> None:
    soak = _soak(tmp_path, server_5xx=[], failures=0)
    report.write(soak)
    figures = json.loads((tmp_path / "soak.json").read_text())
    assert figures["passed"] is True
    assert figures["samples"] == 11
    assert figures["rss"]["after_warmup_mib"] > 0
    assert figures["fds"] == {"idle_before": 12, "idle_after": 13, "peak": 30}
    assert (figures["requests"], figures["failures"]) == (1000, 0)
    with (tmp_path / "samples.csv").open(newline="") as f:
        assert len(list(csv.DictReader(f))) == 11
    summary = (tmp_path / "summary.md").read_text()
    assert "**PASS**" in summary
    assert "- PASS descriptors: 12 open when idle before the load, 13 after it" in summary
    assert b"server RSS (MiB)" in (tmp_path / "soak.svg").read_bytes()


def test_a_5xx_fails_the_soak_in_every_file(tmp_path: Path) -> None:
    soak = _soak(tmp_path, server_5xx=[4.5], failures=1)
    report.write(soak)
    assert not soak.passed
    figures = json.loads((tmp_path / "soak.json").read_text())
    assert figures["passed"] is False
    assert figures["server_5xx"] == {"server_log": 1, "locust": 1}
    failed = {c["name"] for c in figures["checks"] if not c["passed"]}
    assert failed == {"server errors", "request failures"}
    summary = (tmp_path / "summary.md").read_text()
    assert "**FAIL**" in summary
    assert "- FAIL server errors: 1 responses with a 5xx status" in summary


def test_server_and_locust_seeing_the_same_5xx_count_it_once(tmp_path: Path) -> None:
    soak = _soak(tmp_path, server_5xx=[4.5, 5.0], failures=2)
    soak.locust_5xx = 1  # locust gave up on one before its answer came
    assert soak.server_errors == 2
