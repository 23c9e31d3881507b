"""Interleaving, medians and ratios of the ratios benchmark, and which scenarios run."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.ratios.rounds import Ratio, median, order, per_round_ratios, ratios
from bench.ratios.scenarios import BY_NAME, SCENARIOS, SERVICE_HTTP, select
from taskservice.config import Config

NAMES = [s.name for s in SCENARIOS]


def test_the_scenario_names_and_targets_are_the_issues() -> None:
    assert NAMES == [
        "baseline-get", "baseline-post", "baseline-llhttp-get", "baseline-llhttp-post",
        "minimal-get", "minimal-post", "minimal-list",
        "minimal-llhttp-get", "minimal-llhttp-post", "minimal-llhttp-list",
        "get-one", "post", "list", "get-one-local",
    ]  # fmt: skip
    targets = {s.name: (s.baseline, s.target) for s in SCENARIOS if s.target}
    assert targets == {
        "get-one": ("baseline-get", 1.6),
        "post": ("baseline-post", 1.3),
        "list": ("baseline-get", 1.1),
        "get-one-local": ("baseline-get", 1.3),
    }


def test_every_ratio_is_to_bare_tornado_on_tornados_own_server() -> None:
    for s in SCENARIOS:
        if s.baseline is None:
            assert (s.server, s.http) == ("baseline", "tornado"), s.name
            continue
        base = BY_NAME[s.baseline]
        assert (base.server, base.http, base.baseline) == ("baseline", "tornado", None), s.name
        assert base.method == s.method, s.name


def test_the_service_scenarios_run_on_the_services_default_transport() -> None:
    service = [s for s in SCENARIOS if s.server in ("prod", "local")]
    assert {s.http for s in service} == {SERVICE_HTTP} == {Config().http}


def test_each_llhttp_row_is_a_tornado_row_served_on_llhttp_held_to_the_same_baseline() -> None:
    llhttp = [s for s in SCENARIOS if s.http == "llhttp" and s.server in ("baseline", "minimal")]
    assert len(llhttp) == 5
    for s in llhttp:
        twin = BY_NAME[s.name.replace("-llhttp", "")]
        assert twin.http == "tornado"
        assert replace(twin, name=s.name, http="llhttp", baseline=s.baseline) == s
        assert s.baseline == (twin.baseline or twin.name)


def test_each_service_scenario_is_compared_with_the_minimal_app_on_its_transport() -> None:
    references = {s.name: s.reference for s in SCENARIOS if s.reference}
    assert references == {
        "get-one": "minimal-llhttp-get",
        "post": "minimal-llhttp-post",
        "list": "minimal-llhttp-list",
        "get-one-local": "minimal-llhttp-get",
    }
    for name, ref in references.items():
        service, minimal = BY_NAME[name], BY_NAME[ref]
        assert (minimal.server, minimal.method) == ("minimal", service.method)
        assert (minimal.path, minimal.baseline) == (service.path, service.baseline)
        assert minimal.http == service.http
        assert minimal.target is None  # the issue sets no goal for the reference itself


def test_each_round_rotates_the_order_so_every_scenario_takes_another_turn() -> None:
    orders = [[s.name for s in order(SCENARIOS, r, 3)] for r in range(3)]
    assert orders[0] == NAMES
    # rotated by a third of the scenarios each round
    shifts = [r * len(NAMES) // 3 for r in range(3)]
    assert orders == [[*NAMES[k:], *NAMES[:k]] for k in shifts]
    # every round holds every scenario exactly once
    assert all(sorted(o) == sorted(NAMES) for o in orders)
    # and the first turn goes to someone else each round
    assert len({o[0] for o in orders}) == 3


def test_more_rounds_than_scenarios_still_rotate_and_wrap() -> None:
    two = SCENARIOS[:2]
    firsts = [order(two, r, 4)[0].name for r in range(4)]
    assert firsts == ["baseline-get", "baseline-get", "baseline-post", "baseline-post"]
    assert order((), 0, 3) == []


def test_per_round_ratios_divide_values_of_the_same_round() -> None:
    assert per_round_ratios([900, 1000, 500], [1000, 2000, 1000]) == [0.9, 0.5, 0.5]


def test_a_baseline_that_served_nothing_gives_ratio_zero_not_a_crash() -> None:
    assert per_round_ratios([10.0], [0.0]) == [0.0]


def test_rounds_of_unequal_count_are_refused() -> None:
    with pytest.raises(ValueError, match="2 rounds against 3 baseline rounds"):
        per_round_ratios([1, 2], [1, 2, 3])


def test_the_ratio_is_the_median_of_the_per_round_ratios() -> None:
    rates = {"baseline-get": [1000.0, 2000.0, 1000.0], "get-one": [950.0, 1000.0, 300.0]}
    (ratio,) = ratios([BY_NAME["baseline-get"], BY_NAME["get-one"]], rates)
    assert ratio.per_round == [0.95, 0.5, 0.3]
    assert ratio.median == 0.5
    assert ratio.baseline == "baseline-get"


def test_a_target_is_met_at_or_above_it_and_missing_below() -> None:
    assert Ratio("get-one", "baseline-get", [0.9, 0.9, 0.95], 0.90).met is True
    assert Ratio("get-one", "baseline-get", [0.8, 0.89, 0.95], 0.90).met is False
    assert Ratio("x", "baseline-get", [1.0], None).met is None


def test_scenarios_without_their_baseline_measured_get_no_ratio() -> None:
    assert ratios(SCENARIOS, {"get-one": [1.0], "post": [1.0]}) == []


def test_median_of_nothing_is_zero() -> None:
    assert median([]) == 0.0
    assert median([3.0, 1.0, 2.0]) == 2.0


def test_selecting_scenarios_brings_the_baselines_and_references_they_need() -> None:
    assert [s.name for s in select("get-one")] == [
        "baseline-get", "minimal-llhttp-get", "get-one", "get-one-local",
    ]  # fmt: skip
    assert [s.name for s in select("list")] == [
        "baseline-get", "minimal-list", "minimal-llhttp-list", "list",
    ]  # fmt: skip
    assert [s.name for s in select("minimal-list")] == ["baseline-get", "minimal-list"]
    assert [s.name for s in select("baseline")] == [
        "baseline-get", "baseline-post", "baseline-llhttp-get", "baseline-llhttp-post",
    ]  # fmt: skip
    assert [s.name for s in select("llhttp-post")] == [
        "baseline-post", "baseline-llhttp-post", "minimal-llhttp-post",
    ]  # fmt: skip
    assert select(None) == SCENARIOS
    assert select("no-such-scenario") == ()


def test_service_scenarios_read_the_seeded_store_and_post_writes_its_own() -> None:
    assert {s.name: s.store for s in SCENARIOS} == {
        "baseline-get": None,
        "baseline-post": None,
        "baseline-llhttp-get": None,
        "baseline-llhttp-post": None,
        "minimal-get": "read",
        "minimal-post": "write",
        "minimal-list": "read",
        "minimal-llhttp-get": "read",
        "minimal-llhttp-post": "write",
        "minimal-llhttp-list": "read",
        "get-one": "read",
        "post": "write",
        "list": "read",
        "get-one-local": "read",
    }
