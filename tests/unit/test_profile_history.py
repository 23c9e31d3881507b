"""The history of saved bench runs: read from run folders, each held to the run before it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.profile.history import CAPACITY_JSON, History, Series, read_history
from tests.support.bench_runs import load, meta, ratios, save

OLD_SCENARIOS = ("baseline-get", "baseline-post", "minimal-get", "get-one", "post", "list")


def series(history: History, name: str) -> Series:
    return next(s for s in history.series if s.name == name)


def values(history: History, name: str) -> list[float]:
    return [round(p.metric.value, 4) for p in series(history, name).points]


def marked(history: History, name: str) -> list[str]:
    return [p.folder for p in series(history, name).points if p.regression]


def test_each_runs_ratios_req_s_and_p99_are_read_oldest_first_with_its_commit(
    tmp_path: Path,
) -> None:
    save(tmp_path, "20261202-100000-bench-all", "bbbbbbbbbbbb",
         ratios_json=ratios({"get-one": 1.1}), load_json=load(crud={"rps": 900.0}))  # fmt: skip
    save(tmp_path, "20261201-100000-bench-all", "aaaaaaaaaaaa",
         ratios_json=ratios(), load_json=load(crud={}))  # fmt: skip

    history = read_history(tmp_path)

    get_one = series(history, "ratio get-one")
    assert [p.folder for p in get_one.points] == [
        "20261201-100000-bench-all",
        "20261202-100000-bench-all",
    ]
    assert [p.commit for p in get_one.points] == ["aaaaaaaaaa", "bbbbbbbbbb"]
    # The median of the per-round ratios 3400/2000, 4250/2500, 2000/2400; then 1.1 times it.
    assert values(history, "ratio get-one") == [1.7, 1.87]
    assert values(history, "load crud rps") == [800.0, 900.0]
    assert values(history, "load crud p99_ms") == [70.0, 70.0]
    # The figures are ratios, req/s and p99: not p50, p95, nor wrk's own rates.
    assert {s.group for s in history.series} == {"ratio", "load rps", "load p99"}
    names = [s.name for s in history.series]
    assert not [n for n in names if n.endswith(("p50_ms", "p95_ms")) or n.startswith("ratios ")]


def test_the_service_ratios_come_first_then_the_minimal_app_then_the_baselines(
    tmp_path: Path,
) -> None:
    save(tmp_path, "20261201-100000-bench-ratios", ratios_json=ratios())

    names = [s.label for s in read_history(tmp_path).series]

    assert names[:4] == ["get-one", "post", "list", "get-one-local"]
    assert names[-2:] == ["baseline-llhttp-get", "baseline-llhttp-post"]


def test_a_ratio_lower_by_more_than_the_threshold_is_marked_and_not_above_it(
    tmp_path: Path,
) -> None:
    save(tmp_path, "20261201-100000-bench-ratios", ratios_json=ratios())
    save(tmp_path, "20261202-100000-bench-ratios", ratios_json=ratios({"get-one": 0.8}))

    assert marked(read_history(tmp_path), "ratio get-one") == ["20261202-100000-bench-ratios"]
    assert marked(read_history(tmp_path, threshold=30), "ratio get-one") == []
    assert marked(read_history(tmp_path), "ratio post") == []  # unchanged


def test_lower_req_s_and_higher_p99_are_worse_and_their_recovery_is_not(tmp_path: Path) -> None:
    save(tmp_path, "20261201-100000-bench-load", load_json=load(crud={}))
    save(tmp_path, "20261202-100000-bench-load",
         load_json=load(crud={"rps": 680.0, "p99_ms": 84.0}))  # fmt: skip
    save(tmp_path, "20261203-100000-bench-load", load_json=load(crud={}))

    history = read_history(tmp_path)

    assert marked(history, "load crud rps") == ["20261202-100000-bench-load"]
    assert marked(history, "load crud p99_ms") == ["20261202-100000-bench-load"]
    worse = [p.worse for p in series(history, "load crud p99_ms").points]
    assert worse[0] is None
    assert worse[1] == pytest.approx(0.2)
    assert worse[2] == pytest.approx(70 / 84 - 1)  # better: negative


def test_a_change_of_exactly_the_threshold_is_not_marked(tmp_path: Path) -> None:
    save(tmp_path, "20261201-100000-bench-load", load_json=load(crud={"p99_ms": 100.0}))
    save(tmp_path, "20261202-100000-bench-load", load_json=load(crud={"p99_ms": 125.0}))

    assert marked(read_history(tmp_path, threshold=25), "load crud p99_ms") == []
    assert marked(read_history(tmp_path, threshold=24.9), "load crud p99_ms") != []


def test_a_run_missing_a_figure_is_no_point_of_it_and_the_next_is_held_to_the_one_before(
    tmp_path: Path,
) -> None:
    save(tmp_path, "20261201-100000-bench-ratios", ratios_json=ratios())
    save(tmp_path, "20261202-100000-bench-load", load_json=load(crud={}, list={}))
    save(tmp_path, "20261203-100000-bench-all", ratios_json=ratios({"post": 0.5}),
         load_json=load(crud={}))  # fmt: skip

    history = read_history(tmp_path)

    post = series(history, "ratio post").points
    assert [p.folder for p in post] == ["20261201-100000-bench-ratios", "20261203-100000-bench-all"]
    assert marked(history, "ratio post") == ["20261203-100000-bench-all"]
    assert [p.folder for p in series(history, "load list rps").points] == [
        "20261202-100000-bench-load"
    ]


def test_runs_saved_before_the_llhttp_scenarios_plot_the_ratios_they_have(tmp_path: Path) -> None:
    old = ratios(only=OLD_SCENARIOS)
    for row in old["scenarios"].values():
        del row["http"]  # older runs recorded no transport
    save(tmp_path, "20261101-100000-bench-ratios", ratios_json=old)
    save(tmp_path, "20261201-100000-bench-ratios", ratios_json=ratios())

    history = read_history(tmp_path)

    assert len(series(history, "ratio get-one").points) == 2
    assert [p.folder for p in series(history, "ratio minimal-llhttp-get").points] == [
        "20261201-100000-bench-ratios"
    ]
    assert "ratio get-one-local" in {s.name for s in history.series}


def test_capacity_json_is_plotted_when_present_and_a_missing_capacity_draws_no_point(
    tmp_path: Path,
) -> None:
    found = {"crud": {"capacity_rps": 900.0}, "list": {"capacity_rps": 400.0}}
    save(tmp_path, "20261201-100000-bench-capacity", capacity_json={"scenarios": found})
    later = {"crud": {"capacity_rps": 700.0}, "list": {"capacity_rps": None, "verdict": "x"}}
    save(tmp_path, "20261202-100000-bench-capacity", capacity_json={"scenarios": later})

    history = read_history(tmp_path)

    assert CAPACITY_JSON == "capacity.json"
    assert values(history, "capacity crud") == [900.0, 700.0]
    assert marked(history, "capacity crud") == ["20261202-100000-bench-capacity"]  # lower: worse
    assert values(history, "capacity list") == [400.0]
    assert series(history, "capacity crud").group == "capacity"


def test_an_unreadable_file_is_a_problem_and_the_rest_of_its_run_is_still_plotted(
    tmp_path: Path,
) -> None:
    folder = save(tmp_path, "20261201-100000-bench-all", load_json=load(crud={}))
    (folder / "ratios.json").write_text("{not json")
    (folder / "capacity.json").write_text(json.dumps({"scenarios": ["crud"]}))

    history = read_history(tmp_path)

    assert values(history, "load crud rps") == [800.0]
    assert not [s for s in history.series if s.group in ("ratio", "capacity")]
    assert len(history.problems) == 2
    assert all(p.startswith("20261201-100000-bench-all/") for p in history.problems)


def test_profile_and_load_runs_and_odd_folders_are_not_in_the_history(tmp_path: Path) -> None:
    profile = tmp_path / "20261201-100000-profile-py-spy-crud"
    profile.mkdir()
    (profile / "run.json").write_text(json.dumps({"kind": "profile", "rps": 800.0}))
    load_run = tmp_path / "20261201-110000-crud-open"
    load_run.mkdir()
    (load_run / "summary.json").write_text(json.dumps({"totals": {"rps": 100.0}}))
    (tmp_path / "index.html").write_text("<html></html>")
    (tmp_path / ".hidden").mkdir()

    history = read_history(tmp_path)

    assert history.series == []
    assert history.problems == []


def test_the_commit_falls_back_to_ratios_json_and_a_dirty_tree_is_said(tmp_path: Path) -> None:
    save(tmp_path, "20261201-100000-bench-ratios", commit=None, ratios_json=ratios())
    dirty = save(tmp_path, "20261202-100000-bench-load", load_json=load(crud={}))
    (dirty / "meta.json").write_text(json.dumps(meta("fedcba9876543", dirty=True)))

    history = read_history(tmp_path)

    assert series(history, "ratio get-one").points[0].commit == "abc123def4"
    assert series(history, "load crud rps").points[0].commit == "fedcba9876 (dirty)"
