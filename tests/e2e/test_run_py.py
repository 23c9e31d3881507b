"""run.py as a user meets it: help, exit codes, argument pass-through, pinned requirements."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load.service import free_port
from tests.support import needs, pgcluster, postgres
from tests.support.server import REPO


def run_py(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "run.py"), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
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


TINY_SUITE = """
import pytest
from tests.support import needs

def test_passes(): pass
def test_lacks_chromium(): needs.skip_or_fail(needs.CHROMIUM, "no chromium here")
@pytest.mark.parametrize("n", [1, 2])
def test_lacks_wrk(n): needs.skip_or_fail(needs.WRK, "no wrk here")
@pytest.mark.skip(reason="not today")
def test_skipped_for_another_reason(): pass
@pytest.mark.xfail(reason="known")
def test_xfails(): assert False
"""


def test_the_skips_plugin_writes_each_skip_with_what_it_lacked(tmp_path: Path) -> None:
    (tmp_path / "test_tiny.py").write_text(TINY_SUITE)
    summary = tmp_path / "skips.json"
    env = {**os.environ, needs.SUMMARY_ENV: str(summary), "PYTHONPATH": str(REPO)}
    env.pop("CI", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.support.needs", "test_tiny.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 4 skipped, 1 xfailed" in done.stdout
    skipped = json.loads(summary.read_text())["skipped"]
    assert [(s["test"].split("::")[1], s["reason"]) for s in skipped] == [
        ("test_lacks_chromium", "no chromium here"),
        ("test_lacks_wrk[1]", "no wrk here"),
        ("test_lacks_wrk[2]", "no wrk here"),
        ("test_skipped_for_another_reason", "not today"),
    ]
    assert needs.summary_from(summary, root=False) == (
        "4 tests skipped: Chromium and wrk missing; 1 more for other reasons (pytest's SKIPPED "
        "lines above say which); install them with: sudo apt-get install chromium wrk"
    )


def test_run_py_test_ends_with_the_line_naming_what_was_skipped() -> None:
    # Set but empty: no PostgreSQL server for this run, and run.py starts none.
    env = {**os.environ, pgcluster.ENV: ""}
    env.pop("CI", None)
    result = run_py("test", "--suite", "unit", "-k", "test_missing_database_at_open", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "private PostgreSQL cluster" not in result.stdout
    last = result.stdout.splitlines()[-1]
    if pgcluster.find_binaries():
        assert last == f"run.py: 1 test skipped: {needs.POSTGRES_SERVER.what} missing"
    else:
        assert last.startswith("run.py: 1 test skipped: PostgreSQL (initdb, pg_ctl) missing")


@pytest.fixture
def own_tmpdir() -> Iterator[Path]:
    """A temporary folder for a run.py of a test's own (its TMPDIR): the clusters it makes are
    found there, not mixed with those of other runs of the suite on the machine meanwhile. Short
    (a PostgreSQL socket path has a length limit) and open to the server's user, as /tmp is."""
    folder = Path(tempfile.mkdtemp(prefix="ts-run-"))
    folder.chmod(0o1777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_run_py_test_starts_a_private_postgresql_cluster_and_removes_it(own_tmpdir: Path) -> None:
    postgres.server_binaries_or_skip()
    env = {k: v for k, v in os.environ.items() if k != pgcluster.ENV}
    env["TMPDIR"] = str(own_tmpdir)
    result = run_py("test", "--suite", "unit", "-k", "test_missing_database_at_open", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "run.py: a private PostgreSQL cluster for this run, on 127.0.0.1:" in result.stdout
    assert "1 passed" in result.stdout
    assert "skipped" not in result.stdout
    assert list(own_tmpdir.glob("taskservice-pg-*")) == []


SLEEPY_PLUGIN = """
import pathlib, time

def pytest_sessionstart(session):
    pathlib.Path(__file__).with_name("started").touch()
    time.sleep(600)
"""


@pytest.mark.parametrize("how", ["SIGTERM to run.py", "Ctrl-C"])
def test_an_interrupted_run_py_test_stops_pytest_and_the_cluster(
    tmp_path: Path, own_tmpdir: Path, how: str
) -> None:
    postgres.server_binaries_or_skip()
    (tmp_path / "sleepy.py").write_text(SLEEPY_PLUGIN)
    env = {k: v for k, v in os.environ.items() if k != pgcluster.ENV}
    env["PYTHONPATH"] = str(tmp_path)  # the inner pytest's `-p sleepy` finds it there
    env["TMPDIR"] = str(own_tmpdir)
    out = tmp_path / "run.out"
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "run.py"), "test", "--suite", "unit", "-p", "sleepy"],
            cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "started").exists():  # the cluster is up, pytest has begun
            assert proc.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.05)
        made = set(own_tmpdir.glob("taskservice-pg-*"))
        assert len(made) == 1, made
        if how == "Ctrl-C":  # the terminal sends SIGINT to the whole foreground group
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM)
        sig = signal.SIGINT if how == "Ctrl-C" else signal.SIGTERM
        assert proc.wait(timeout=60) == 128 + sig, out.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert not made.pop().exists(), out.read_text()  # the server stopped, its folder removed
