"""`./run.py load --find-capacity`'s arguments: defaults, and exit 2 before any load on bad ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bench.__main__ as bench_main
from bench.capacity import cli as capacity
from bench.capacity.driver import Settings
from bench.load import cli


def settings_of(*argv: str) -> Settings:
    args, _ = cli.parser().parse_known_args(["--find-capacity", *argv])
    return capacity.settings(args)


def test_defaults_fit_a_search_in_three_minutes() -> None:
    s = settings_of()
    assert (s.step_s, s.warmup_s, s.max_duration_s) == (10.0, 3.0, 180.0)
    assert (s.plan.start, s.plan.factor, s.plan.resolution) == (50.0, 2.0, 0.05)
    assert s.problem() is None


def test_options_set_the_search() -> None:
    s = settings_of("--start-rate", "20", "--max-rate", "900", "--resolution", "10",
                    "--step-duration", "4s", "--warmup", "0", "--max-duration", "1m")  # fmt: skip
    assert (s.plan.start, s.plan.ceiling, s.plan.resolution) == (20.0, 900.0, 0.1)
    assert (s.step_s, s.warmup_s, s.max_duration_s) == (4.0, 0.0, 60.0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rate", "100"], "give --start-rate, not --rate"),
        (["--shape", "step"], "--shape does not apply"),
        (["--remote-workers", "1"], "--remote-workers cannot follow"),
        (["--slo", "min_rps=100"], "min_rps is no SLO to search for"),
        (["--slo", "p99_ms=fast"], "p99_ms needs a number"),
        (["--step-duration", "3s", "--warmup", "3s"], "must be shorter than a step"),
        (["--max-duration", "5s"], "leaves no room for one step"),
        (["--start-rate", "500", "--max-rate", "100"], "below the first"),
        (["--resolution", "100"], "resolution"),
    ],
)
def test_bad_arguments_exit_2_naming_the_problem(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--find-capacity", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_a_warmup_as_long_as_a_headless_run_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--headless", "--duration", "5s", "--warmup", "5s"])
    assert exit_.value.code == 2
    assert "--warmup (5s) must be shorter than --duration (5s)" in capsys.readouterr().err


def test_bench_capacity_runs_only_when_named_and_reports_its_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[tuple[str, bool, str | None]] = []

    def fake_capacity(folder: Path, quick: bool, select: str | None) -> int:
        ran.append(("capacity", quick, select))
        doc = {"scenarios": {"crud": {"capacity_rps": 1346.0}, "list": {"capacity_rps": None}}}
        (folder / "capacity.json").write_text(json.dumps(doc))
        return 1  # list found none

    monkeypatch.setattr(bench_main, "run_capacity", fake_capacity)
    code = bench_main.main(["capacity", "--quick", "-k", "crud", "--profiles", str(tmp_path)])
    assert code == 1
    assert ran == [("capacity", True, "crud")]
    out = capsys.readouterr().out
    assert "| capacity crud | 1,346 rps |" in out
    assert out.strip().splitlines()[-1].endswith("-bench-capacity")

    ran.clear()
    for part in ("run_micro", "run_load", "run_ratios"):
        monkeypatch.setattr(bench_main, part, lambda *a: 0)
    monkeypatch.setattr(bench_main, "ensure_wrk", lambda: None)
    monkeypatch.setattr(bench_main, "report", lambda *a: 0)
    assert bench_main.main(["all", "--profiles", str(tmp_path)]) == 0
    assert ran == []
