"""The capacity search's plan: coarse steps up, then bisection, and when it stops."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bench.capacity.search import Plan, bracket, next_rate, nice


def simulate(plan: Plan, meets: Callable[[float], bool], limit: int = 50) -> list[float]:
    """The rates the search tries against a service that meets the SLO where `meets` says."""
    tried: list[tuple[float, bool]] = []
    while (rate := next_rate(plan, tried)) is not None:
        tried.append((rate, meets(rate)))
        assert len(tried) < limit, tried
    return [rate for rate, _ in tried]


def test_the_first_step_is_the_start_rate() -> None:
    assert next_rate(Plan(start=50), []) == 50


def test_coarse_steps_double_while_the_slo_is_met() -> None:
    assert simulate(Plan(start=50), lambda r: r < 500)[:5] == [50, 100, 200, 400, 800]


def test_bisection_follows_the_first_miss_between_the_last_pass_and_it() -> None:
    tried = [(50.0, True), (100.0, True), (200.0, True), (400.0, True), (800.0, False)]
    assert next_rate(Plan(start=50), tried) == 600


def test_bisection_stops_at_resolution() -> None:
    plan = Plan(start=50, resolution=0.05)
    rates = simulate(plan, lambda r: r <= 613)
    lo, hi = bracket([(r, r <= 613) for r in rates])
    assert lo is not None
    assert hi is not None
    assert lo <= 613 < hi
    assert hi - lo <= 0.05 * lo
    assert len(rates) <= 5 + 5  # five coarse steps, then about log2(1 / 0.05) bisections


def test_a_miss_at_the_first_step_ends_the_search() -> None:
    assert next_rate(Plan(start=50), [(50.0, False)]) is None


def test_every_step_passing_stops_at_the_ceiling() -> None:
    rates = simulate(Plan(start=50, ceiling=300), lambda r: True)
    assert rates == [50, 100, 200, 300]


def test_a_pass_above_a_miss_does_not_move_the_bracket_past_the_miss() -> None:
    # Noise: 400/s passed once 300/s had missed; the knee is still looked for below 300/s.
    assert bracket([(100.0, True), (300.0, False), (400.0, True)]) == (100.0, 300.0)


def test_rates_read_as_three_significant_digits() -> None:
    assert nice(153.125) == 153
    assert nice(1234.5) == 1230
    assert nice(12.345) == 12.3
    assert nice(0.5) == 0.5


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (Plan(start=0), "above 0"),
        (Plan(factor=1), "factor"),
        (Plan(start=100, ceiling=50), "below the first"),
        (Plan(resolution=0), "resolution"),
    ],
)
def test_an_impossible_plan_says_why(plan: Plan, message: str) -> None:
    problem = plan.problem()
    assert problem is not None
    assert message in problem


def test_the_default_plan_runs() -> None:
    assert Plan().problem() is None


def test_a_generator_bound_rate_caps_the_search_and_bisection_stays_below_it() -> None:
    tried = [(50.0, True), (100.0, True), (200.0, True), (400.0, True), (800.0, True)]
    assert next_rate(Plan(start=50), tried, limit=1600) == 1200
    assert next_rate(Plan(start=50), tried, limit=820) is None  # within 5% of 800: done


def test_a_generator_bound_first_step_ends_the_search() -> None:
    assert next_rate(Plan(start=50), [], limit=50) is None
