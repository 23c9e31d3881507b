"""Latency and failures over time, read back from locust's stats history CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.soak.history import LOCUST_ARGS, failures_by, read
from bench.soak.options import LOAD_FOLDER, SoakOptions, default_warmup

HEADER = (
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,"
    "99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,"
    "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
    "Total Average Content Size"
)


def _row(ts: int, name: str, p50: str, p99: str, requests: int, failures: int) -> str:
    method = "" if name == "Aggregated" else "GET"
    cells = [str(ts), "1", method, name, "1.0", "0.0", p50, *[p50] * 6, p99, p99, p99, p99]
    return ",".join([*cells, str(requests), str(failures), "4.5", "5.0", "1.0", "17.0", "66.0"])


def test_history_keeps_aggregated_seconds_with_requests_timed_from_the_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locust_stats_history.csv"
    lines = [
        HEADER,
        _row(1000, "Aggregated", "N/A", "N/A", 0, 0),  # before the first request
        _row(1001, "Aggregated", "0", "0", 145, 0),  # the ten-second window still empty
        _row(1002, "/tasks", "2", "11", 60, 0),  # one endpoint: --csv-full-history adds these
        _row(1002, "Aggregated", "4", "15", 300, 0),
        _row(1003, "Aggregated", "5", "21", 450, 2),
    ]
    path.write_text("\n".join(lines) + "\n")
    points = read(path, started_at=1000.5)
    assert [(p.t, p.p50_ms, p.p99_ms, p.requests, p.failures) for p in points] == [
        (1.5, 4.0, 15.0, 300, 0),
        (2.5, 5.0, 21.0, 450, 2),
    ]
    assert [failures_by(points, t) for t in (0.0, 1.5, 2.4, 2.5, 9.0)] == [0, 0, 0, 2, 2]


def test_no_history_file_means_no_points(tmp_path: Path) -> None:
    assert read(tmp_path / "missing.csv", 0.0) == []


@pytest.mark.parametrize(("duration", "warmup"), [(60, 12), (180, 36), (600, 60), (3600, 60)])
def test_default_warm_up_is_a_fifth_of_the_run_at_most_a_minute(
    duration: float, warmup: float
) -> None:
    assert default_warmup(duration) == warmup
    assert SoakOptions(duration_s=duration).warmup == warmup
    assert SoakOptions(duration_s=duration, warmup_s=5).warmup == 5


def test_soak_runs_an_open_model_load_reporting_into_its_load_folder(tmp_path: Path) -> None:
    load = SoakOptions(duration_s=60, rate=40, store="memory://").load_options(tmp_path)
    assert (load.model, load.rate, load.duration_s, load.store) == ("open", 40, 60, "memory://")
    assert load.out_dir == tmp_path / LOAD_FOLDER
    assert set(LOCUST_ARGS) <= set(load.locust_args)  # windowed percentiles in the history
    assert SoakOptions().folder_options().kind == "soak"
