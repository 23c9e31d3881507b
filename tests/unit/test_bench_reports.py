"""The bench harness's bookkeeping: reading runs, the summary table, comparisons, run folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import compare, summary
from bench.__main__ import comparable_run, parse_args
from bench.results import Run, read_run
from bench.runs import earlier_runs, find_run, new_run_folder, saved_runs

MACHINE = {"node": "box", "cpu": "EPYC", "cpus": 2, "arch": "x86_64"}
META = {"machine": MACHINE, "python": "CPython 3.11.7", "commit": "abc123def456", "dirty": False}


def _bench(name: str, median: float, group: str = "g", baseline: bool = False) -> dict[str, Any]:
    extra = {"baseline": True} if baseline else {}
    stats = {"median": median, "rounds": 10, "mean": median * 1.1}
    return {"name": name, "group": group, "stats": stats, "extra_info": extra}


def _save(folder: Path, benches: list[dict[str, Any]], meta: dict[str, Any] = META) -> Run:
    folder.mkdir(parents=True)
    (folder / "micro.json").write_text(json.dumps({"benchmarks": benches}))
    (folder / "meta.json").write_text(json.dumps(meta))
    return read_run(folder)


def _load(folder: Path, rps: float, p95: float) -> Run:
    folder.mkdir(parents=True)
    scenarios = {"crud": {"rps": rps, "p50_ms": 1.0, "p95_ms": p95, "p99_ms": None}}
    (folder / "load.json").write_text(json.dumps({"scenarios": scenarios}))
    return read_run(folder)


def test_read_run_takes_the_median_of_each_benchmark(tmp_path: Path) -> None:
    run = _save(tmp_path / "r", [_bench("test_a", 2e-6), _bench("test_b[x]", 5e-3)])
    assert {n: m.value for n, m in run.metrics.items()} == {"test_a": 2e-6, "test_b[x]": 5e-3}
    assert run.meta["commit"] == "abc123def456"


def test_read_run_of_a_folder_without_results_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no micro\.json, load\.json or ratios\.json"):
        read_run(tmp_path)


def test_load_totals_become_metrics_and_missing_percentiles_are_skipped(tmp_path: Path) -> None:
    run = _load(tmp_path / "r", rps=900.0, p95=12.0)
    assert set(run.metrics) == {"load crud rps", "load crud p50_ms", "load crud p95_ms"}
    assert run.metrics["load crud rps"].higher_is_better
    assert not run.metrics["load crud p95_ms"].higher_is_better


def test_summary_shows_each_median_and_its_ratio_to_the_group_baseline(tmp_path: Path) -> None:
    run = _save(
        tmp_path / "r",
        [_bench("test_fmt", 9e-6, "fmt"), _bench("test_naive", 3e-6, "fmt", baseline=True)],
    )
    table = summary.render(run)
    assert "| test_fmt | 9.00 µs | 3.00x | 10 |" in table
    assert "| test_naive | 3.00 µs | 1.00x | 10 |" in table
    assert "| **fmt** |" in table
    assert "commit abc123def4" in table


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(4.2e-8, "42.0 ns"), (1.5e-5, "15.0 µs"), (0.34281, "343 ms"), (3.0, "3.00 s")],
)
def test_durations_are_shown_in_a_readable_unit(seconds: float, shown: str) -> None:
    assert summary.format_seconds(seconds) == shown


def test_a_median_slower_than_the_threshold_is_a_regression(tmp_path: Path) -> None:
    old = _save(tmp_path / "old", [_bench("test_a", 1.0e-3), _bench("test_b", 1.0e-3)])
    new = _save(tmp_path / "new", [_bench("test_a", 1.2e-3), _bench("test_b", 1.05e-3)])
    changes = compare.compare(old, new)
    assert [c.new.name for c in compare.regressions(changes, 0.10)] == ["test_a"]
    assert changes[0].worse == pytest.approx(0.2)
    text = compare.render(old, new, changes, 0.10)
    assert "| test_a | 1.00 ms | 1.20 ms | 20.0% worse | SLOWER |" in text
    assert "| test_b | 1.00 ms | 1.05 ms | 5.0% worse |  |" in text


def test_a_faster_run_has_no_regressions(tmp_path: Path) -> None:
    old = _save(tmp_path / "old", [_bench("test_a", 2.0e-3)])
    new = _save(tmp_path / "new", [_bench("test_a", 1.0e-3)])
    changes = compare.compare(old, new)
    assert compare.regressions(changes, 0.0) == []
    assert "50.0% better" in compare.render(old, new, changes, 0.1)


def test_lower_throughput_counts_as_worse(tmp_path: Path) -> None:
    old, new = _load(tmp_path / "old", 1000.0, 10.0), _load(tmp_path / "new", 800.0, 10.0)
    worst = compare.regressions(compare.compare(old, new), 0.10)
    assert [c.new.name for c in worst] == ["load crud rps"]
    assert worst[0].worse == pytest.approx(0.25)


def test_metrics_in_one_run_only_are_not_compared_but_named(tmp_path: Path) -> None:
    old = _save(tmp_path / "old", [_bench("test_a", 1e-3), _bench("test_gone", 1e-3)])
    new = _save(tmp_path / "new", [_bench("test_a", 1e-3), _bench("test_new", 1e-3)])
    changes = compare.compare(old, new)
    assert [c.new.name for c in changes] == ["test_a"]
    assert "Only in the earlier run: test_gone" in compare.render(old, new, changes, 0.1)


def test_runs_on_different_machines_or_pythons_are_called_out(tmp_path: Path) -> None:
    other = {**META, "machine": {**MACHINE, "node": "elsewhere"}, "python": "CPython 3.12.1"}
    old = _save(tmp_path / "old", [_bench("test_a", 1e-3)], other)
    new = _save(tmp_path / "new", [_bench("test_a", 1e-3)])
    notes = compare.environment_notes(old, new)
    assert len(notes) == 2
    assert notes[0].startswith("different machines: elsewhere")
    assert notes[1] == "different Pythons: CPython 3.12.1 then CPython 3.11.7"
    assert compare.environment_notes(new, new) == []


def test_new_run_folders_are_named_by_time_and_kind_and_never_collide(tmp_path: Path) -> None:
    first, second = new_run_folder(tmp_path, "micro"), new_run_folder(tmp_path, "micro")
    assert first != second
    assert first.name.endswith("-bench-micro")
    assert first.is_dir()
    assert second.is_dir()


def test_earlier_runs_are_the_saved_runs_before_the_current_one(tmp_path: Path) -> None:
    for name in ("20260101-000000-bench-micro", "20260102-000000-bench-micro"):
        _save(tmp_path / name, [_bench("test_a", 1e-3)])
    (tmp_path / "20260103-000000-crud-headless").mkdir()  # a load report: not a bench run
    current = tmp_path / "20260104-000000-bench-micro"
    assert [f.name for f in saved_runs(tmp_path)][-1] == "20260102-000000-bench-micro"
    assert [f.name for f in earlier_runs(tmp_path, current)] == [
        "20260101-000000-bench-micro",
        "20260102-000000-bench-micro",
    ]
    assert earlier_runs(tmp_path, tmp_path / "20250101-000000-bench-micro") == []


def test_the_default_baseline_is_the_newest_earlier_run_sharing_a_benchmark(
    tmp_path: Path,
) -> None:
    _save(tmp_path / "20260101-000000-bench-micro", [_bench("test_a", 1e-3)])
    _save(tmp_path / "20260102-000000-bench-micro", [_bench("test_a", 2e-3)])
    _load(tmp_path / "20260103-000000-bench-load", rps=900.0, p95=12.0)  # newer, shares nothing
    (tmp_path / "20260104-000000-bench-micro").mkdir()
    (tmp_path / "20260104-000000-bench-micro" / "micro.json").write_text("{broken")
    current = _save(tmp_path / "20260105-000000-bench-micro", [_bench("test_a", 2e-3)])
    old = comparable_run(tmp_path, current)
    assert old is not None
    assert old.folder.name == "20260102-000000-bench-micro"
    assert (
        comparable_run(tmp_path, _load(tmp_path / "20250101-000000-bench-load", 1.0, 1.0)) is None
    )


def test_a_broken_result_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "micro.json").write_text('{"benchmarks": [')
    with pytest.raises(ValueError, match=r"micro\.json: not a bench result"):
        read_run(tmp_path)


def test_equal_values_are_no_change_even_at_zero(tmp_path: Path) -> None:
    old, new = _load(tmp_path / "old", 0.0, 10.0), _load(tmp_path / "new", 0.0, 10.0)
    assert all(c.worse == 0 for c in compare.compare(old, new))


@pytest.mark.parametrize("threshold", ["nan", "inf", "-5", "ten"])
def test_a_threshold_that_is_not_a_finite_percentage_is_refused(threshold: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--threshold", threshold])
    assert exit_info.value.code == 2


def test_an_unknown_run_name_says_which_runs_exist(tmp_path: Path) -> None:
    _save(tmp_path / "20260101-000000-bench-micro", [_bench("test_a", 1e-3)])
    assert find_run(tmp_path, "20260101-000000-bench-micro").is_dir()
    with pytest.raises(FileNotFoundError, match="latest: 20260101-000000-bench-micro"):
        find_run(tmp_path, "nope")
