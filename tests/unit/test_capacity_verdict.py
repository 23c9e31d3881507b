"""Each step judged (pass, miss, generator-bound) and the search's verdict with its exit code."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bench.capacity.verdict import FAIL, GENERATOR_BOUND, PASS, Step, decide, judge

SLO = {"p99_ms": 50.0, "error_rate": 0.01}


def step(offered: float, p99_ms: float = 10.0, **kw: Any) -> Step:
    """A healthy step at `offered`/s unless told otherwise."""
    base = Step(
        offered=offered,
        achieved=offered,
        rps=offered * 4,
        p50_ms=p99_ms / 4,
        p95_ms=p99_ms / 2,
        p99_ms=p99_ms,
        error_rate=0.0,
        requests=1000,
        generator_pct=30.0,
        service_pct=60.0,
    )
    return replace(base, **kw)


def test_a_step_within_every_threshold_passes() -> None:
    assert judge(step(100), SLO).status == PASS


def test_a_step_over_the_p99_threshold_fails_naming_it() -> None:
    judged = judge(step(100, p99_ms=80), SLO)
    assert judged.status == FAIL
    assert judged.reasons == ("p99_ms 80 > 50",)


def test_a_step_with_too_many_errors_fails() -> None:
    assert judge(step(100, error_rate=0.02), SLO).status == FAIL


def test_a_step_that_measured_no_request_fails_rather_than_blaming_the_generator() -> None:
    judged = judge(step(100, requests=0, achieved=0.0, service_pct=1.0), SLO)
    assert judged.status == FAIL
    assert "no request was measured" in judged.reasons[0]


def test_saturated_generator_is_generator_bound() -> None:
    judged = judge(step(4000, generator_pct=95.0), SLO)
    assert judged.status == GENERATOR_BOUND
    assert "locust at 95% of a core" in judged.reasons[0]


def test_step_short_of_offered_with_idle_service_is_generator_bound() -> None:
    judged = judge(step(4000, achieved=3000, generator_pct=70.0, service_pct=40.0), SLO)
    assert judged.status == GENERATOR_BOUND
    assert "3000/s achieved of 4000/s offered" in judged.reasons[0]


def test_step_short_of_offered_with_busy_service_is_the_service_failing() -> None:
    judged = judge(step(4000, p99_ms=900, achieved=3000, service_pct=99.0), SLO)
    assert judged.status == FAIL


def test_step_short_of_offered_without_service_cpu_is_judged_on_the_slo() -> None:
    # --host: the service's CPU is not sampled, so it cannot be called idle.
    assert judge(step(400, achieved=300, service_pct=None), SLO).status == PASS


def test_found_capacity_is_the_highest_passing_step_and_exits_0() -> None:
    judged = [judge(s, SLO) for s in (step(100), step(200), step(400, p99_ms=90), step(300))]
    verdict = decide(judged, SLO, out_of_time=False)
    assert verdict.exit_code == 0
    assert verdict.capacity == step(300)
    assert verdict.knee is not None
    assert verdict.knee.step.offered == 400
    assert verdict.lines[0].startswith("capacity: 300/s (1200 req/s) is the highest rate")
    assert "400/s missed it: p99_ms 90 > 50" in verdict.lines[1]


def test_lowest_step_missing_the_slo_exits_1() -> None:
    verdict = decide([judge(step(50, p99_ms=70), SLO)], SLO, out_of_time=False)
    assert verdict.exit_code == 1
    assert verdict.capacity is None
    assert "even the lowest step, 50/s, missed the SLO" in verdict.lines[0]


def test_generator_bound_verdict_gives_no_capacity_and_names_the_cure() -> None:
    steps = (step(100), step(200), step(400, generator_pct=97.0))
    verdict = decide([judge(s, SLO) for s in steps], SLO, out_of_time=False, workers=0)
    assert verdict.exit_code == 1
    assert verdict.capacity is None
    assert verdict.bound is not None
    assert "the load generator, not the service, was the limit at 400/s" in verdict.lines[0]
    assert "met the SLO up to 200/s" in verdict.lines[1]
    assert "--workers 2" in verdict.lines[1]


def test_generator_bound_with_workers_already_suggests_more() -> None:
    verdict = decide([judge(step(100, generator_pct=99.0), SLO)], SLO, False, workers=3)
    assert "--workers 6" in verdict.lines[1]
    assert "no step met the SLO" in verdict.lines[1]


def test_no_miss_before_the_time_ran_out_is_a_lower_bound() -> None:
    verdict = decide([judge(step(100), SLO), judge(step(200), SLO)], SLO, out_of_time=True)
    assert verdict.exit_code == 0
    assert verdict.capacity == step(200)
    assert "--max-duration ended the search" in verdict.lines[1]
    assert "at least" in verdict.lines[1]


def test_no_step_at_all_exits_1() -> None:
    verdict = decide([], SLO, out_of_time=True)
    assert verdict.exit_code == 1
    assert "no step" in verdict.lines[0]


def test_service_miss_below_a_generator_bound_step_still_gives_the_capacity() -> None:
    steps = (step(100), step(800, generator_pct=95.0), step(450, p99_ms=90), step(300))
    verdict = decide([judge(s, SLO) for s in steps], SLO, out_of_time=False)
    assert verdict.exit_code == 0
    assert verdict.capacity == step(300)
    assert "capacity: 800/s was generator-bound (locust at 95% of a core) and is left out" in (
        verdict.lines
    )


def test_passes_up_to_a_generator_bound_step_give_no_capacity() -> None:
    steps = (step(400), step(800, generator_pct=95.0), step(600, generator_pct=92.0), step(500))
    verdict = decide([judge(s, SLO) for s in steps], SLO, out_of_time=False)
    assert verdict.capacity is None
    assert "was the limit at 600/s" in verdict.lines[0]
    assert "met the SLO up to 500/s" in verdict.lines[1]


def test_with_one_core_for_locust_the_cure_is_the_service_elsewhere() -> None:
    verdict = decide([judge(step(100, generator_pct=99.0), SLO)], SLO, False, generator_cores=1)
    assert "run the service on another machine (--host URL)" in verdict.lines[1]


def test_with_idle_cores_the_cure_is_a_worker_per_core() -> None:
    verdict = decide([judge(step(100, generator_pct=99.0), SLO)], SLO, False, generator_cores=7)
    assert "--workers 7" in verdict.lines[1]
