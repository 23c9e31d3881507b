"""`./run.py profile` for real: py-spy attached and launching, yappi in the service, a diff of
two runs, the overhead table, and the failures a user meets. Short loads, 4 users."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.profile import collapsed, layers, speedscope, waits
from tests.support.profile_runs import LOAD, finished, profile
from tests.support.server import REPO


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("profiles")


@pytest.fixture(scope="module")
def attached(root: Path) -> tuple[Path, dict[str, Any]]:
    return finished(profile(root, "--tool", "py-spy", *LOAD), root)


@pytest.fixture(scope="module")
def launched(root: Path) -> tuple[Path, dict[str, Any]]:
    return finished(profile(root, "--tool", "py-spy", "--launch", *LOAD), root)


def test_attached_py_spy_draws_on_cpu_and_idle_with_tornado_and_taskservice_frames(
    attached: tuple[Path, dict[str, Any]],
) -> None:
    folder, run = attached
    assert folder.name.endswith("-profile-py-spy-crud")
    assert (run["kind"], run["tool"], run["mode"], run["scenario"]) == (
        "profile", "py-spy", "attach", "crud",
    )  # fmt: skip
    assert run["rps"] > 0
    assert run["p50_ms"] <= run["p99_ms"]
    assert run["failures"] == 0
    assert [p["svg"] for p in run["pictures"]] == ["pyspy-oncpu.svg", "pyspy-idle.svg"]
    oncpu = (folder / "pyspy-oncpu.svg").read_text()
    assert "(tornado/web.py)" in oncpu  # Tornado's own frames, not taskservice/tornado/
    # The crud handlers; each holds a few percent of samples, so a short run may miss one.
    handlers = [
        m for m in ("get", "post", "put", "delete") if f"{m} (taskservice/tornado/app.py)" in oncpu
    ]
    assert len(handlers) >= 2, handlers
    for picture in run["pictures"]:
        stacks = collapsed.read(folder / picture["collapsed"])
        numbers = run["stats"][Path(picture["collapsed"]).stem]
        assert numbers["samples"] == numbers["total"] == collapsed.total(stacks) > 0
        assert numbers["errors"] is not None
        doc = json.loads((folder / picture["speedscope"]).read_text())
        assert speedscope.to_stacks(doc, per_count=10.0) == stacks  # 100 Hz: 10 ms a sample


def test_idle_picture_holds_the_waiting_the_on_cpu_one_leaves_out(
    attached: tuple[Path, dict[str, Any]],
) -> None:
    folder, _ = attached
    oncpu = collapsed.read(folder / "pyspy-oncpu.collapsed")
    idle = collapsed.read(folder / "pyspy-idle.collapsed")
    assert collapsed.total(idle) > collapsed.total(oncpu)
    # The loop waits in select() on asyncio's loop, and inside Runner.run on uvloop's (C code).
    waits = ("select (selectors.py)", "Runner.run (asyncio/runners.py)")
    waiting = sum(n for stack, n in idle.items() if stack.endswith(waits))
    assert waiting > sum(n for stack, n in oncpu.items() if stack.endswith(waits))


def test_the_default_on_cpu_picture_holds_at_most_5_percent_waiting_and_says_what_it_dropped(
    attached: tuple[Path, dict[str, Any]],
) -> None:
    folder, run = attached
    oncpu = collapsed.read(folder / "pyspy-oncpu.collapsed")
    assert waits.waiting_share(oncpu) <= 0.05
    # The wall picture keeps every thread: there the service's threads are seen waiting.
    assert waits.waiting_share(collapsed.read(folder / "pyspy-idle.collapsed")) > 0.05
    assert run["on_cpu"]["gil"] is True
    assert run["on_cpu"]["kept"] == collapsed.total(oncpu)
    summary = (folder / "summary.md").read_text()
    line = next(line for line in summary.splitlines() if line.startswith("profile: on-CPU kept"))
    assert f"kept {collapsed.total(oncpu)} samples of about {run['on_cpu']['ticks']}" in line
    assert "dropped because no thread held the GIL" in line


def test_a_py_spy_run_prints_and_saves_the_layer_table(
    attached: tuple[Path, dict[str, Any]],
) -> None:
    folder, run = attached
    table = run["layers"]
    assert table["picture"] == "pyspy-oncpu"
    assert [r["layer"] for r in table["rows"]] == list(layers.ORDER)
    shares = {r["layer"]: r["share"] for r in table["rows"]}
    assert sum(shares.values()) == pytest.approx(1.0, abs=0.01)
    assert shares["other"] < 0.10
    assert shares["HTTP transport"] > 0
    assert shares["framework"] > 0
    assert table["requests"] > 0
    assert table["cpu_us_per_request"] > 0
    total_us = sum(r["us"] for r in table["rows"])
    assert total_us == pytest.approx(table["cpu_us_per_request"], rel=0.02)
    summary = (folder / "summary.md").read_text()
    assert ", started here with store `sqlite:///" in summary  # the load's summary is kept
    assert "## Where the time goes, by layer (pyspy-oncpu)" in summary
    assert "| HTTP transport |" in summary
    assert "profile: where the time goes, by layer" in summary  # the printed lines


def test_the_run_folder_keeps_the_load_that_produced_the_pictures(
    attached: tuple[Path, dict[str, Any]],
) -> None:
    folder, run = attached
    paths = {r["path"] for r in run["reports"]}
    assert {"summary.md", "report.html"} <= paths
    assert all((folder / p).is_file() for p in paths)
    summary = (folder / "summary.md").read_text()
    assert ", started here with store `sqlite:///" in summary
    assert "pinning: server on cpu 0, generator on cpu 1" in summary
    assert run["versions"]["py-spy"] == "0.4.3"
    assert run["commit"]


def test_launch_mode_records_one_on_cpu_picture(launched: tuple[Path, dict[str, Any]]) -> None:
    folder, run = launched
    assert run["mode"] == "launch"
    assert [p["svg"] for p in run["pictures"]] == ["pyspy-oncpu.svg"]
    assert run["stats"]["pyspy-oncpu"]["samples"] > 0
    assert "taskservice/" in (folder / "pyspy-oncpu.svg").read_text()
    assert not (folder / "pyspy-idle.svg").exists()


# The harness with py-spy's probe answering as it does in Docker without SYS_PTRACE: being root
# here, the test cannot be refused for real.
REFUSED = """
import sys
from bench.profile import cli, pyspy, pyspy_run
from tests.unit.test_profile_pyspy import DOCKER
pyspy_run.pyspy.probe = lambda exe, pid, timeout=30.0: pyspy.classify(DOCKER, 0, None)
sys.exit(cli.main(sys.argv[1:]))
"""


def test_refused_ptrace_says_the_fix_in_one_line_and_falls_back_to_launch(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", REFUSED, "--tool", "py-spy", "--duration", "2", "--users", "4",
         "--profiles", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    folder, run = finished(result, tmp_path)
    refusals = [line for line in result.stderr.splitlines() if "may not attach" in line]
    assert len(refusals) == 1
    assert "--cap-add SYS_PTRACE" in refusals[0]
    assert "falling back to launch mode" in refusals[0]
    assert run["mode"] == "launch"
    assert "taskservice/" in (folder / "pyspy-oncpu.svg").read_text()


def test_a_diff_of_two_runs_draws_the_pictures_they_share(
    root: Path, attached: tuple[Path, dict[str, Any]], launched: tuple[Path, dict[str, Any]]
) -> None:
    a, b = attached[0], launched[0]
    folder, run = finished(profile(root, "--diff", a.name, str(b)), root)
    assert folder.name.endswith(f"-diff-{a.name}-vs-{b.name}")
    assert run["kind"] == "diff"
    assert [p["svg"] for p in run["pictures"]] == ["diff-pyspy-oncpu.svg"]  # b has no idle one
    svg = (folder / "diff-pyspy-oncpu.svg").read_text()
    assert "red = more time in B" in svg
    assert "tornado/" in svg
    rows = {r["layer"]: r for r in run["layers_diff"]}
    assert list(rows) == [*layers.ORDER, "all"]
    us_a, us_b = (r["layers"]["cpu_us_per_request"] for r in (attached[1], launched[1]))
    assert rows["all"]["change"] == pytest.approx(us_b - us_a, abs=0.2)
    summary = (folder / "summary.md").read_text()
    assert "CPU µs per request by layer, A -> B" in summary
    assert any(line.lstrip().startswith("HTTP transport") for line in summary.splitlines())


def test_a_diff_naming_an_unknown_run_exits_2_in_one_line(
    root: Path, attached: tuple[Path, dict[str, Any]]
) -> None:
    result = profile(root, "--diff", attached[0].name, "no-such-run")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no profile run 'no-such-run'" in result.stderr


def test_a_service_that_cannot_start_is_one_line_and_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("server:\n  no_such_key: 1\n")
    result = profile(tmp_path, "--tool", "py-spy", "--config", str(config), *LOAD)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("profile: the service exited with 2")


def test_yappi_in_the_service_writes_both_clocks_and_their_reports(tmp_path: Path) -> None:
    folder, run = finished(profile(tmp_path, "--tool", "yappi", *LOAD), tmp_path)
    assert folder.name.endswith("-profile-yappi-crud")
    assert (run["tool"], run["mode"], run["clocks"]) == ("yappi", None, ["wall", "cpu"])
    assert run["rps"] > 0
    assert [p["svg"] for p in run["pictures"]] == ["yappi-wall.svg", "yappi-cpu.svg"]
    for clock in ("wall", "cpu"):
        svg = (folder / f"yappi-{clock}.svg").read_text()
        assert "(tornado/web.py:" in svg
        for handler in ("TodoListHandler.post", "TaskHandler.get", "TaskHandler.delete"):
            assert f"{handler} (taskservice/tornado/app.py:" in svg
        stacks = collapsed.read(folder / f"yappi-{clock}.collapsed")
        assert any(stack.startswith("POST /tasks;") for stack in stacks)  # route tags
        numbers = run["stats"][f"yappi-{clock}"]
        assert numbers == {"total": collapsed.total(stacks), "unit": "microseconds"}
    for report in run["reports"]:
        assert (folder / report["path"]).is_file(), report
    paths = {r["path"] for r in run["reports"]}
    assert {"yappi-wall.pstat", "yappi-cpu.callgrind", "yappi-wall-top.txt"} <= paths
    assert {"load-wall/summary.md", "load-cpu/summary.md", "summary.md"} <= paths
    assert not (folder / "yappi").exists()  # moved into the run folder
    table = run["layers"]
    assert table["picture"] == "yappi-cpu"  # the CPU clock: work only
    shares = {r["layer"]: r["share"] for r in table["rows"]}
    assert shares["other"] < 0.10
    assert shares["framework"] > 0
    assert shares["store"] > 0
    assert "## Where the time goes, by layer (yappi-cpu)" in (folder / "summary.md").read_text()


def test_overhead_prints_the_table_of_each_profilers_cost(tmp_path: Path) -> None:
    result = profile(tmp_path, "--overhead", "--rounds", "1", "--duration", "2", "--users", "4")
    folder, run = finished(result, tmp_path)
    assert folder.name.endswith("-overhead-crud")
    assert run["kind"] == "overhead"
    table = (folder / "overhead.md").read_text()
    for tool in ("none", "py-spy", "yappi"):
        assert f"| {tool} |" in result.stdout
        assert f"| {tool} |" in table
    figures = json.loads((folder / "overhead.json").read_text())
    assert set(figures["cost"]) == {"py-spy", "yappi"}
    assert all(c["throughput_ratio"] > 0 for c in figures["cost"].values())


@pytest.mark.parametrize("mode", [("--tool", "yappi", *LOAD), ("--overhead", *LOAD), ("--diff",)])
def test_a_profiles_root_that_cannot_hold_a_run_folder_exits_2_in_one_line(
    tmp_path: Path, mode: tuple[str, ...]
) -> None:
    if mode == ("--diff",):  # two runs named by path, sharing a picture
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "run.json").write_text('{"kind": "profile", "tool": "py-spy"}')
            (tmp_path / name / "pyspy-oncpu.collapsed").write_text("m;a 3\nm;b 1\n")
        mode = ("--diff", str(tmp_path / "a"), str(tmp_path / "b"))
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    result = profile(not_a_folder, *mode, timeout=30)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"cannot make a run folder under {not_a_folder}" in result.stderr
    assert result.stdout == ""
