"""Profiler overhead: rotated rounds, medians, and throughput cost against no profiler."""

from __future__ import annotations

import pytest

from bench.profile import overhead
from bench.profile.overhead import Sample


def _samples() -> list[Sample]:
    return [
        Sample(1, "none", 1000.0, 5.0, 20.0),
        Sample(1, "py-spy", 950.0, 5.5, 22.0),
        Sample(1, "yappi", 400.0, 12.0, 60.0),
        Sample(2, "none", 900.0, 6.0, 30.0),
        Sample(2, "py-spy", 990.0, 5.0, 21.0),
        Sample(2, "yappi", 420.0, 11.0, 50.0),
        Sample(3, "none", 1100.0, 4.0, 25.0),
        Sample(3, "py-spy", 900.0, 6.0, 40.0),
        Sample(3, "yappi", 380.0, 13.0, 55.0),
    ]


def test_each_round_rotates_the_order_so_every_tool_leads_once() -> None:
    orders = [overhead.order(n) for n in range(3)]
    assert orders == [
        ["none", "py-spy", "yappi"],
        ["py-spy", "yappi", "none"],
        ["yappi", "none", "py-spy"],
    ]
    assert overhead.order(3) == orders[0]


def test_medians_are_taken_per_tool_and_metric() -> None:
    meds = overhead.medians(_samples())
    assert meds["none"] == {"rps": 1000.0, "p50_ms": 5.0, "p99_ms": 25.0}
    assert meds["py-spy"] == {"rps": 950.0, "p50_ms": 5.5, "p99_ms": 22.0}
    assert meds["yappi"]["rps"] == 400.0


def test_cost_is_throughput_as_a_ratio_and_percent_lost_against_none() -> None:
    cost = overhead.costs(overhead.medians(_samples()))
    assert set(cost) == {"py-spy", "yappi"}
    assert cost["py-spy"]["throughput_ratio"] == 0.95
    assert cost["py-spy"]["throughput_cost_pct"] == 5.0
    assert cost["yappi"]["throughput_ratio"] == 0.4
    assert cost["yappi"]["throughput_cost_pct"] == 60.0
    assert cost["yappi"]["p99_ratio"] == 2.2


def test_without_a_baseline_there_is_no_cost() -> None:
    with pytest.raises(ValueError, match="baseline"):
        overhead.costs({"py-spy": {"rps": 1.0, "p50_ms": 1.0, "p99_ms": 1.0}})


def test_a_zero_baseline_gives_no_ratio_rather_than_a_crash() -> None:
    cost = overhead.costs(
        {
            "none": {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0},
            "yappi": {"rps": 1.0, "p50_ms": 1.0, "p99_ms": 1.0},
        }
    )
    assert cost["yappi"]["throughput_ratio"] is None
    assert "n/a" in overhead.table(
        {
            "none": {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0},
            "yappi": {"rps": 1.0, "p50_ms": 1.0, "p99_ms": 1.0},
        },
        cost,
    )


def test_round_ratios_compare_each_profiler_with_none_in_the_same_round() -> None:
    ratios = overhead.round_ratios(_samples())
    assert ratios == {"py-spy": [0.95, 1.1, 0.82], "yappi": [0.4, 0.47, 0.35]}


def test_the_table_has_a_row_per_tool_with_its_cost_and_round_ratios() -> None:
    doc = overhead.document(_samples(), rounds=3)
    table = overhead.table(doc["medians"], doc["cost"], doc["round_ratios"])
    rows = table.splitlines()
    assert rows[0].startswith("| profiler | rps |")
    assert rows[2] == "| none | 1000.0 | 5 | 25 | 1.00 | - | - |"
    assert rows[3] == "| py-spy | 950.0 | 5.5 | 22 | 0.95 | 5.0% | 0.95, 1.10, 0.82 |"
    assert rows[4] == "| yappi | 400.0 | 12 | 55 | 0.40 | 60.0% | 0.40, 0.47, 0.35 |"
    assert len(doc["passes"]) == 9
