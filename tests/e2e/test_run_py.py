"""run.py as a user meets it: help, exit codes, argument pass-through, pinned requirements."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from bench.load.service import free_port
from tests.support.server import REPO


def run_py(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "run.py"), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_help_lists_every_target_with_its_line() -> None:
    result = run_py("--help")
    assert result.returncode == 0
    for name in (
        "serve",
        "lint",
        "typecheck",
        "test",
        "coverage",
        "bench",
        "load",
        "soak",
        "profile",
        "profiles",
    ):
        assert f"    {name}" in result.stdout


def test_unknown_target_exits_non_zero() -> None:
    assert run_py("deploy").returncode == 2


def test_failing_check_makes_the_target_fail() -> None:
    # Extra arguments pass through to pytest; selecting no test makes pytest exit 5.
    result = run_py("test", "--suite", "unit", "-k", "no_test_has_this_name")
    assert result.returncode == 5
    assert "pytest tests/unit -q -k no_test_has_this_name" in result.stdout


def test_passing_check_exits_zero_and_runs_only_that_suite() -> None:
    result = run_py("test", "--suite", "unit", "-k", "test_is_task_id_accepts_only_the_id_shape")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ruff" not in result.stdout  # one suite only: lint and typecheck are skipped
    assert "5 passed" in result.stdout


def test_every_requirement_is_pinned_exactly() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    assert requirements
    assert all("==" in r for r in requirements), requirements


@pytest.mark.parametrize(
    ("flags", "started"),
    [((), "http=llhttp loop=uvloop"), (("--http", "tornado"), "http=tornado loop=asyncio")],
    ids=["default", "tornado"],
)
def test_serve_runs_llhttp_by_default_and_tornado_on_request(
    tmp_path: Path, flags: tuple[str, ...], started: str
) -> None:
    port = free_port()
    cmd = [sys.executable, str(REPO / "run.py"), "serve", "--port", str(port)]
    out = tmp_path / "serve.out"
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [*cmd, "--store", "memory://", *flags], cwd=tmp_path, stdout=sink, stderr=sink
        )
    try:
        deadline = time.monotonic() + 60
        while "message=STARTING" not in out.read_text() and proc.poll() is None:
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.05)
        assert f" {started} " in out.read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            assert answer.status == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("form", ["--store URL", "--store=URL"])
def test_serve_echoes_its_command_with_the_store_password_hidden(form: str) -> None:
    secret = "s3cr3t-pw"  # noqa: S105 -- a made-up password, to look for in the output
    # Nothing listens on a port just found free: the service fails fast, after the echo.
    url = f"postgresql://app:{secret}@127.0.0.1:{free_port()}/tasks?connect_timeout=5"
    store = ["--store", url] if form == "--store URL" else [f"--store={url}"]
    result = run_py("serve", "--port", str(free_port()), *store)
    assert result.returncode != 0
    echoed = [line for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert len(echoed) == 1
    assert form.replace("URL", "postgresql://app:***@127.0.0.1:") in echoed[0]
    assert secret not in result.stdout + result.stderr
