"""Metrics: what observe_* records is what /metrics renders, in Prometheus's text format."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from taskservice.observe.metrics import MULTIPROC_ENV, Metrics

Key = tuple[str, tuple[tuple[str, str], ...]]


def samples(text: bytes) -> dict[Key, float]:
    """Every sample, by key(name, **labels)."""
    found = {}
    for family in text_string_to_metric_families(text.decode()):
        for s in family.samples:
            found[key(s.name, **s.labels)] = s.value
    return found


def key(name: str, **labels: str) -> Key:
    """A sample's name and labels, as samples() files it."""
    return (name, tuple(sorted(labels.items())))


@pytest.fixture
def metrics(monkeypatch: pytest.MonkeyPatch) -> Metrics:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    return Metrics()


def test_requests_are_counted_and_timed_by_route_method_and_status(metrics: Metrics) -> None:
    metrics.observe_request("/tasks/{id}", "GET", 200, 0.002)
    metrics.observe_request("/tasks/{id}", "GET", 200, 0.004)
    metrics.observe_request("/tasks/{id}", "GET", 404, 0.001)
    metrics.observe_request("/tasks", "POST", 201, 0.3)
    got = samples(metrics.render())
    ok = {"route": "/tasks/{id}", "method": "GET", "status": "200"}
    assert got[key("taskservice_requests_total", **ok)] == 2
    assert got[key("taskservice_request_duration_seconds_count", **ok)] == 2
    assert got[key("taskservice_request_duration_seconds_sum", **ok)] == pytest.approx(0.006)
    assert got[key("taskservice_request_duration_seconds_bucket", **ok, le="0.0025")] == 1
    assert got[key("taskservice_request_duration_seconds_bucket", **ok, le="0.005")] == 2
    missing = {**ok, "status": "404"}
    assert got[key("taskservice_requests_total", **missing)] == 1
    post = {"route": "/tasks", "method": "POST", "status": "201"}
    assert got[key("taskservice_request_duration_seconds_bucket", **post, le="0.25")] == 0
    assert got[key("taskservice_request_duration_seconds_bucket", **post, le="0.5")] == 1


def test_store_calls_are_timed_by_operation_and_outcome(metrics: Metrics) -> None:
    metrics.observe_store("get", 0.0002, True)
    metrics.observe_store("create", 0.003, False)
    got = samples(metrics.render())
    count = "taskservice_store_operation_duration_seconds_count"
    assert got[key(count, operation="get", outcome="ok")] == 1
    assert got[key(count, operation="create", outcome="error")] == 1
    assert key(count, operation="get", outcome="error") not in got


def test_loop_lag_keeps_a_histogram_and_the_latest_sample(metrics: Metrics) -> None:
    for lag in (0.001, 0.3, 0.002):
        metrics.observe_lag(lag)
    got = samples(metrics.render())
    assert got[key("taskservice_event_loop_lag_seconds_count")] == 3
    assert got[key("taskservice_event_loop_lag_seconds_bucket", le="0.25")] == 2
    assert got[key("taskservice_event_loop_lag_last_seconds")] == 0.002


def test_in_flight_is_a_gauge(metrics: Metrics) -> None:
    metrics.in_flight.inc()
    metrics.in_flight.inc()
    metrics.in_flight.dec()
    assert samples(metrics.render())[key("taskservice_requests_in_flight")] == 1


_WORKER = """
import sys
from taskservice.observe.metrics import Metrics
m = Metrics()
for _ in range(int(sys.argv[1])):
    m.observe_request("/tasks", "POST", 201, 0.01)
m.in_flight.inc()
m.observe_lag(float(sys.argv[2]))
"""


def test_with_a_shared_folder_render_adds_up_every_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, MULTIPROC_ENV: str(tmp_path), "PYTHONPATH": str(Path.cwd())}
    for count, lag in ((3, "0.02"), (4, "0.5")):
        subprocess.run([sys.executable, "-c", _WORKER, str(count), lag], env=env, check=True)
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    got = samples(Metrics().render())
    post = {"route": "/tasks", "method": "POST", "status": "201"}
    assert got[key("taskservice_requests_total", **post)] == 7
    assert got[key("taskservice_request_duration_seconds_count", **post)] == 7
    # The processes have exited: livesum and livemax count only live ones, which the supervisor
    # tells prometheus_client about (mark_process_dead); until then the files still count.
    assert got[key("taskservice_requests_in_flight")] == 2
    assert got[key("taskservice_event_loop_lag_last_seconds")] == 0.5


def test_a_method_outside_the_standard_ones_is_counted_as_other(metrics: Metrics) -> None:
    for i in range(20):
        metrics.observe_request("/tasks", f"MADEUP{i}", 405, 0.001)
    metrics.observe_request("/tasks", "PATCH", 405, 0.001)
    got = samples(metrics.render())
    total = "taskservice_requests_total"
    assert got[key(total, route="/tasks", method="OTHER", status="405")] == 20
    assert got[key(total, route="/tasks", method="PATCH", status="405")] == 1
    methods = {dict(labels)["method"] for name, labels in got if name == total}
    assert methods == {"OTHER", "PATCH"}
