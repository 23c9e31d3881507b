"""--slo parsing and verdicts: k6-style thresholds over a run's totals."""

from __future__ import annotations

import pytest

from bench.load import slo

MEASURED = {"p95_ms": 12.0, "p99_ms": 40.0, "error_rate": 0.0, "min_rps": 800.0}


def test_parse_accepts_any_subset_with_spaces() -> None:
    assert slo.parse("p95_ms=50, min_rps = 500") == {"p95_ms": 50.0, "min_rps": 500.0}
    assert slo.parse("p95_ms=50,p99_ms=200,error_rate=0.01,min_rps=500") == {
        "p95_ms": 50.0,
        "p99_ms": 200.0,
        "error_rate": 0.01,
        "min_rps": 500.0,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("p90_ms=5", "unknown key 'p90_ms'"),
        ("p95_ms", "expected key=value"),
        ("p95_ms=fast", "p95_ms needs a number, got 'fast'"),
        ("p95_ms=-1", "must be a finite number >= 0"),
        ("p95_ms=nan", "must be a finite number >= 0"),
        ("p95_ms=1,p95_ms=2", "p95_ms given twice"),
        ("", "no thresholds given"),
    ],
)
def test_parse_refuses_malformed_text_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(slo.SloError, match=message):
        slo.parse(text)


def test_a_threshold_met_exactly_passes() -> None:
    verdicts = slo.evaluate({"p95_ms": 12.0, "min_rps": 800.0, "error_rate": 0.0}, MEASURED)
    assert all(v.passed for v in verdicts)


def test_latency_above_and_rps_below_their_thresholds_fail() -> None:
    verdicts = slo.evaluate({"p99_ms": 39.9, "min_rps": 800.1, "p95_ms": 50}, MEASURED)
    assert [v.passed for v in verdicts] == [False, False, True]


def test_each_verdict_prints_threshold_measurement_and_outcome() -> None:
    p99, rps = slo.evaluate({"p99_ms": 30, "min_rps": 500}, MEASURED)
    assert p99.line() == "SLO p99_ms <= 30: 40 ms  FAIL"
    assert rps.line() == "SLO min_rps >= 500: 800 req/s  pass"
