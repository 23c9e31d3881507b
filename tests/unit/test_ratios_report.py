"""ratios.json's content, its Markdown table, and the warnings a broken measurement gives."""

from __future__ import annotations

import pytest

from bench.ratios.report import render, warnings
from tests.support.ratios import RATES, sample_doc


def test_the_document_records_how_it_was_measured() -> None:
    doc = sample_doc()
    assert doc["wrk"] == "wrk debian/4.1.0-3+b2 [epoll]"
    assert doc["load"] == {"threads": 1, "connections": 20, "duration_s": 5, "warmup_s": 1}
    assert doc["rounds"] == 3
    assert doc["pinning"] == {"server": [0], "wrk": [1]}
    assert doc["configs"] == {"prod": "configs/todoList-prod.yaml",
                              "local": "configs/todoList-local.yaml"}  # fmt: skip
    assert doc["store"]["synchronous"] == "FULL"
    assert doc["store"]["seeded_tasks"] == 20_000
    assert doc["commit"] == "abc123def456"
    assert doc["problems"] == []


def test_each_scenario_has_medians_and_every_rounds_row() -> None:
    doc = sample_doc()
    get_one = doc["scenarios"]["get-one"]
    assert get_one["rps"] == 3400.0
    assert (get_one["p50_ms"], get_one["p99_ms"]) == (8.0, 12.5)
    assert get_one["request"] == "GET /tasks/{id}"
    assert get_one["baseline"] == "baseline-get"
    assert get_one["http"] == "llhttp"
    assert doc["scenarios"]["baseline-get"]["http"] == "tornado"
    assert doc["scenarios"]["minimal-llhttp-list"]["http"] == "llhttp"
    assert [r["rps"] for r in get_one["rounds"]] == RATES["get-one"]
    assert (get_one["non_2xx"], get_one["socket_errors"]) == (0, 0)


def test_ratios_are_per_round_with_their_median_and_target() -> None:
    ratios = sample_doc()["ratios"]
    assert set(ratios) == {
        "baseline-llhttp-get", "baseline-llhttp-post",
        "minimal-get", "minimal-post", "minimal-list",
        "minimal-llhttp-get", "minimal-llhttp-post", "minimal-llhttp-list",
        "get-one", "post", "list", "get-one-local",
    }  # fmt: skip
    # 3400/2000, 4250/2500, 2000/2400: the median of the rounds, not of the medians
    assert ratios["get-one"]["per_round"] == [1.7, 1.7, pytest.approx(0.8333, abs=1e-4)]
    assert ratios["get-one"]["median"] == 1.7
    assert (ratios["get-one"]["target"], ratios["get-one"]["met"]) == (1.6, True)
    assert ratios["list"]["median"] == 1.0
    assert (ratios["list"]["target"], ratios["list"]["met"]) == (1.1, False)
    assert ratios["post"]["baseline"] == "baseline-post"


def test_the_llhttp_rows_are_ratios_to_bare_tornado_on_tornados_server() -> None:
    ratios = sample_doc()["ratios"]
    # baseline-llhttp-get: 4000/2000, 4750/2500, 4560/2400 -> 2.0, 1.9, 1.9
    assert ratios["baseline-llhttp-get"]["per_round"] == [2.0, 1.9, 1.9]
    assert ratios["baseline-llhttp-get"]["baseline"] == "baseline-get"
    assert ratios["baseline-llhttp-post"]["median"] == 1.8  # 1.8, 1.8, 1.7
    assert ratios["minimal-llhttp-post"]["baseline"] == "baseline-post"
    assert (ratios["minimal-llhttp-get"]["target"], ratios["minimal-llhttp-get"]["met"]) == (
        None,
        None,
    )


def test_each_service_ratio_carries_the_minimal_apps_ratio_on_llhttp_for_the_request() -> None:
    ratios = sample_doc()["ratios"]
    # minimal-llhttp-get: 3600/2000, 4250/2500, 4080/2400 -> 1.8, 1.7, 1.7
    assert ratios["minimal-llhttp-get"]["median"] == 1.7
    assert ratios["get-one"]["minimal"] == 1.7
    assert ratios["get-one-local"]["minimal"] == 1.7
    assert ratios["post"]["minimal"] == 1.5  # 1.4, 1.6, 1.5
    assert ratios["list"]["minimal"] == 1.5  # 1.5, 1.4, 1.5
    assert ratios["minimal-get"]["median"] == 0.85  # the minimal app on Tornado's server: no one's
    assert ratios["minimal-llhttp-get"]["minimal"] is None  # a reference has none of its own
    assert ratios["minimal-llhttp-get"]["target"] is None


def test_without_the_minimal_app_measured_a_ratio_has_no_reference() -> None:
    rates = {k: v for k, v in RATES.items() if not k.startswith("minimal-")}
    doc = sample_doc(rates)
    assert doc["ratios"]["get-one"]["minimal"] is None
    table = render(doc)
    assert (
        "| get-one | llhttp | 3,400 | 8.00 ms | 12.5 ms | 0 | 1.70x | 1.70, 1.70, 0.83 |  "
        "| ≥ 1.60x |" in table
    )
    assert "minimal-*:" not in table  # no footnote for rows that are not there


def test_the_table_shows_each_rows_transport_ratio_rounds_target_and_verdict() -> None:
    table = render(sample_doc())
    assert "-t1 -c20 -d5s after a 1 s warm-up, 3 interleaved rounds" in table
    assert "server on cpu 0, wrk on cpu 1" in table
    assert "configs/todoList-prod.yaml" in table
    assert "| baseline-get | tornado | 2,400 | 8.00 ms | 12.5 ms | 0 | 1.00x |" in table
    assert (
        "| baseline-llhttp-get | llhttp | 4,560 | 8.00 ms | 12.5 ms | 0 | 1.90x | 2.00, 1.90, 1.90 "
        "|  |  |  |" in table
    )
    assert (
        "| get-one | llhttp | 3,400 | 8.00 ms | 12.5 ms | 0 | 1.70x | 1.70, 1.70, 0.83 | 1.70x "
        "| ≥ 1.60x | yes |" in table
    )
    assert (
        "| list | llhttp | 2,400 | 8.00 ms | 12.5 ms | 0 | 1.00x | 1.00, 1.00, 1.00 | 1.50x "
        "| ≥ 1.10x | **no** |" in table
    )
    assert (
        "| minimal-get | tornado | 2,040 | 8.00 ms | 12.5 ms | 0 | 0.85x | 0.90, 0.85, 0.85 "
        "|  |  |  |" in table
    )
    assert table.count("\n| ") == 15  # the header and a row per scenario
    assert "a target above it is out of reach" in table
    assert "llhttp the service's transport (httptools) on uvloop" in table


def test_a_run_saved_before_transports_were_recorded_leaves_the_column_blank() -> None:
    doc = sample_doc()
    for row in doc["scenarios"].values():
        del row["http"]
    table = render(doc)
    assert "| baseline-get |  | 2,400 |" in table
    assert "llhttp the service's transport" not in table


def test_an_unpinned_run_says_so() -> None:
    doc = sample_doc()
    doc["pinning"] = None
    assert "not pinned" in render(doc)


def test_every_problem_is_a_warning_line_with_where_the_logs_are() -> None:
    doc = sample_doc(problems=["post round 2: 12 non-2xx responses of 900 requests"])
    doc["logs"] = "/runs/x/ratios-scratch/logs"
    assert warnings(doc) == [
        "WARNING: ratios post round 2: 12 non-2xx responses of 900 requests",
        "WARNING: ratios: the servers' logs are in /runs/x/ratios-scratch/logs",
    ]


def test_a_clean_run_has_no_warnings() -> None:
    assert warnings(sample_doc()) == []
