"""Totals and summary.md rendered from a saved locust run (tests/unit/data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.load import slo, totals
from bench.load.reports import read_open_model
from bench.load.sampler import CpuUse
from bench.load.summary import Report, digest, render

DATA = Path(__file__).parent / "data"
TOTALS = DATA / "locust_totals.json"
OPEN = DATA / "locust_open.json"


def expanded(raw: dict[str, int]) -> list[float]:
    return sorted(float(k) for k, n in raw.items() for _ in range(n))


def test_totals_count_every_request_of_every_endpoint() -> None:
    raw = json.loads(TOTALS.read_text())
    stats = totals.load(TOTALS)
    assert len(stats.endpoints) == len(raw)
    assert stats.total.requests == sum(e["num_requests"] for e in raw)
    assert stats.total.failures == sum(e["num_failures"] for e in raw)
    assert stats.total.max_ms == max(e["max_response_time"] for e in raw)


@pytest.mark.parametrize("q", [0.5, 0.95, 0.99, 1.0])
def test_percentiles_match_the_expanded_histogram(q: float) -> None:
    for entry in json.loads(TOTALS.read_text()):
        values = expanded(entry["response_times"])
        t = totals.from_entries([entry]).total
        assert t.pct(q) == values[min(int(len(values) * q), len(values) - 1)]


def test_rps_is_requests_over_the_span_of_the_run() -> None:
    entry = json.loads(TOTALS.read_text())[0]
    t = totals.from_entries([entry]).total
    span = entry["last_request_timestamp"] - entry["start_time"]
    assert t.rps == pytest.approx(entry["num_requests"] / span)


def test_an_empty_run_reports_zeros_not_errors() -> None:
    row = digest(totals.from_entries([]).total)
    assert row["requests"] == 0
    assert row["rps"] == 0
    assert row["p99_ms"] == 0


def test_summary_has_a_row_per_endpoint_with_its_counts() -> None:
    stats = totals.load(TOTALS)
    page = render(Report("Load run", ["fact one"], stats))
    assert "- fact one" in page
    for t in stats.endpoints:
        row = next(line for line in page.splitlines() if f"| {t.method} | `{t.name}` |" in line)
        assert f"| {t.requests} | {t.failures} |" in row
    assert f"| **all** | {stats.total.requests} |" in page


@pytest.mark.parametrize(("generator_pct", "warned"), [(50.0, False), (90.0, False), (97.0, True)])
def test_generator_bound_warning_only_above_90_percent(generator_pct: float, warned: bool) -> None:
    report = Report("Load run", [], totals.load(TOTALS), CpuUse(generator_pct, 80.0))
    assert ("generator-bound" in render(report)) is warned
    assert report.as_dict()["generator_bound"] is warned


def test_open_model_summary_shows_achieved_rate_and_both_latencies() -> None:
    om = read_open_model(OPEN)
    assert om is not None
    report = Report("Load run", [], totals.load(TOTALS), open_model=om)
    page = render(report)
    achieved = om.as_dict()["achieved_rate"]
    assert f"target {om.target_rate:g} iterations/s; achieved {achieved:g}/s started" in page
    assert "## Latency from each request's actual start" in page
    assert "### Latency from each request's intended start" in page
    assert 0 < achieved <= 2 * om.target_rate


def test_latency_from_intended_start_is_never_below_the_actual() -> None:
    om = read_open_model(OPEN)
    assert om is not None
    actual = totals.load(TOTALS).total
    for q in (0.5, 0.95, 0.99, 1.0):
        assert om.intended.total.pct(q) >= actual.pct(q)


def test_slos_judge_open_model_latency_from_the_intended_start() -> None:
    om = read_open_model(OPEN)
    assert om is not None
    report = Report("Load run", [], totals.load(TOTALS), open_model=om)
    assert report.measured()["p99_ms"] == om.intended.total.pct(0.99)
    verdicts = slo.evaluate({"p99_ms": om.intended.total.pct(0.99)}, report.measured())
    assert verdicts[0].passed
