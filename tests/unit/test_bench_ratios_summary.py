"""A run with ratios.json: its metrics, its table in the summary, comparisons, WARNING lines."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

import bench.__main__ as bench_main
from bench import compare, summary
from bench.results import RATIOS_JSON, read_run
from bench.runs import saved_runs
from tests.support.ratios import RATES, sample_doc


def _save(folder: Path, doc: dict[str, Any]) -> Path:
    folder.mkdir(parents=True)
    (folder / RATIOS_JSON).write_text(json.dumps(doc))
    return folder


def test_ratios_become_metrics_where_higher_is_better(tmp_path: Path) -> None:
    run = read_run(_save(tmp_path / "r", sample_doc()))
    ratio = run.metrics["ratio get-one"]
    assert (ratio.value, ratio.unit, ratio.higher_is_better) == (1.7, "x", True)
    assert run.metrics["ratios baseline-get rps"].higher_is_better
    assert not run.metrics["ratios post p99_ms"].higher_is_better
    assert {m.group for m in run.metrics.values()} == {"ratios"}
    assert run.ratios is not None
    assert run.ratios["rounds"] == 3


def test_a_ratios_run_is_a_saved_run(tmp_path: Path) -> None:
    folder = _save(tmp_path / "20260101-000000-bench-ratios", sample_doc())
    assert saved_runs(tmp_path) == [folder]


def test_the_summary_of_a_ratios_run_is_its_ratio_table_alone(tmp_path: Path) -> None:
    table = summary.render(read_run(_save(tmp_path / "r", sample_doc())))
    assert "## ratios: the service against bare Tornado" in table
    assert "| get-one | llhttp | 3,400 |" in table
    assert "| benchmark | median" not in table  # no empty table of other benchmarks
    assert "ratio get-one" not in table  # the metrics are not listed twice


def test_a_lower_ratio_is_a_regression_in_a_comparison(tmp_path: Path) -> None:
    old = read_run(_save(tmp_path / "a", sample_doc()))
    slower = {**RATES, "get-one": [r / 2 for r in RATES["get-one"]]}
    new = read_run(_save(tmp_path / "b", sample_doc(slower)))
    worse = {c.new.name for c in compare.regressions(compare.compare(old, new), 0.10)}
    assert worse == {"ratio get-one", "ratios get-one rps"}
    assert "| ratio get-one | 1.70x | 0.85x | 100.0% worse | SLOWER |" in compare.render(
        old, new, compare.compare(old, new), 0.10
    )


def test_a_broken_ratios_file_is_named_in_the_error(tmp_path: Path) -> None:
    folder = _save(tmp_path / "r", {"rounds": 3})
    with pytest.raises(ValueError, match=r"ratios\.json: not a bench result"):
        read_run(folder)


@pytest.fixture
def fake_ratios(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`bench ratios` whose measurement writes sample_doc with one problem and exits 1."""
    problems = ["post round 1: 3 non-2xx responses of 900 requests"]

    def run_ratios(folder: Path, args: argparse.Namespace) -> int:
        (folder / RATIOS_JSON).write_text(json.dumps(sample_doc(problems=problems)))
        return 1

    monkeypatch.setattr(bench_main, "run_ratios", run_ratios)
    monkeypatch.setattr(bench_main, "ensure_wrk", lambda: None)
    return problems


def test_errors_under_load_are_warnings_under_the_table_and_exit_non_zero(
    fake_ratios: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = bench_main.main(["ratios", "--profiles", str(tmp_path)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert f"WARNING: ratios {fake_ratios[0]}" in out
    assert out.index(f"WARNING: ratios {fake_ratios[0]}") > out.index(
        "| get-one | llhttp | 3,400 | 8.00 ms | 12.5 ms | 0 | 1.70x | 1.70, 1.70, 0.83 | 1.70x "
        "| ≥ 1.60x | yes |"
    )
    folder = Path(out[-1])
    assert folder.parent == tmp_path
    assert folder.name.endswith("-bench-ratios")
    assert (folder / "summary.md").read_text().startswith(f"# {folder.name}")


def test_missing_wrk_exits_2_before_making_a_run_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench_main, "ensure_wrk", lambda: "wrk is missing: install it")
    assert bench_main.main(["ratios", "--profiles", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "run.py bench: wrk is missing: install it\n"
    assert list(tmp_path.iterdir()) == []


def test_micro_alone_never_asks_for_wrk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(bench_main, "ensure_wrk", pytest.fail)
    monkeypatch.setattr(bench_main, "run_micro", lambda *a: 3)
    assert bench_main.main(["micro", "--profiles", str(tmp_path)]) == 3
