"""`./run.py profile`'s command line: what it refuses (exit 2, one line) and what it asks for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.load.service import http_args
from bench.profile import args as cli_args
from bench.profile.options import ProfileRequest
from bench.profile.pyspy import Sampling
from tests.support.server import REPO


def _request(argv: list[str]) -> ProfileRequest:
    p = cli_args.parser()
    ns = p.parse_args(argv)
    cli_args.check(p, ns)
    return cli_args.request(ns)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "--tool (py-spy or yappi) is required"),
        (["--tool", "perf"], "invalid choice: 'perf'"),
        (["--tool", "py-spy", "--scenario", "nope"], "invalid choice: 'nope'"),
        (["--tool", "py-spy", "--rate", "5", "--users", "3"], "exclude each other"),
        (["--tool", "py-spy", "--duration", "0s"], "at least 1 s"),
        (["--tool", "py-spy", "--users", "0"], "must be > 0"),
        (["--tool", "yappi", "--native"], "are py-spy's"),
        (["--tool", "yappi", "--nonblocking"], "are py-spy's"),
        (["--tool", "py-spy", "--clock", "cpu"], "--clock is yappi's"),
        (["--tool", "yappi", "--clock", "gpu"], "invalid choice: 'gpu'"),
        (["--diff", "a"], "expected 2 arguments"),
        (["--diff", "a", "b", "--overhead"], "exclude each other"),
        (["--overhead", "--tool", "yappi"], "take none"),
        (["--overhead", "--clock", "cpu"], "--overhead measures"),
        (["--overhead", "--launch"], "--overhead measures"),
        (["--tool", "py-spy", "--bogus"], "unrecognized arguments: --bogus"),
        (["--tool", "yappi", "--rate", "nan"], "argument --rate: must be a finite number > 0"),
        (["--tool", "yappi", "--rate", "inf"], "argument --rate: must be a finite number > 0"),
        (["--tool", "yappi", "--config", "/no/such/config.yaml"], "--config: no such file"),
    ],
)
def test_bad_arguments_exit_2_with_one_error_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _request(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1
    assert message in errors[0]


def test_py_spy_flags_make_the_request() -> None:
    req = _request(
        ["--tool", "py-spy", "--scenario", "list", "--duration", "1m", "--users", "4",
         "--sample-rate", "250", "--native", "--gil", "--nonblocking", "--launch", "--idle",
         "--profiles", "out"]
    )  # fmt: skip
    assert (req.tool, req.scenario, req.duration_s, req.users) == ("py-spy", "list", 60, 4)
    assert req.sampling == Sampling(rate=250, native=True, gil=True, nonblocking=True)
    assert req.launch
    assert req.idle
    assert req.profiles == Path("out").resolve()


def test_on_cpu_picture_holds_the_gil_unless_no_gil() -> None:
    assert _request(["--tool", "py-spy"]).sampling.gil
    assert not _request(["--tool", "py-spy", "--no-gil"]).sampling.gil


def test_yappi_defaults_to_both_clocks_and_one_clock_on_request() -> None:
    assert _request(["--tool", "yappi"]).clocks == ("wall", "cpu")
    assert _request(["--tool", "yappi", "--clock", "cpu"]).clocks == ("cpu",)


def test_defaults_are_crud_30_s_100_hz_three_rounds() -> None:
    req = _request(["--overhead"])
    assert (req.tool, req.scenario, req.duration_s, req.sampling.rate, req.rounds) == (
        None, "crud", 30, 100, 3,
    )  # fmt: skip
    assert req.user_count == 10


@pytest.mark.parametrize("target", ["bench.load.cli", "bench.soak.cli"])
def test_load_and_soak_refuse_a_rate_that_is_not_finite(target: str) -> None:
    # The same argument type as profile's: nan or inf would keep locust running past its time.
    code = f"import {target} as m, sys; m.parser().parse_args(sys.argv[1:])"
    result = subprocess.run(
        [sys.executable, "-c", code, "--rate", "nan"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "argument --rate: must be a finite number > 0" in result.stderr


def test_the_transport_flag_reaches_the_service_it_starts() -> None:
    assert _request(["--tool", "py-spy"]).http is None  # the config's: llhttp
    assert _request(["--tool", "py-spy", "--http", "tornado"]).http == "tornado"
    assert http_args("tornado") == ["--http", "tornado"]
    assert http_args(None) == []


def test_an_unknown_transport_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _request(["--tool", "py-spy", "--http", "h2"])
    assert exit_info.value.code == 2
    assert "argument --http: invalid choice: 'h2'" in capsys.readouterr().err
