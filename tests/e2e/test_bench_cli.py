"""`./run.py bench micro` as CI runs it: a quick pass that saves, summarises and compares."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import REPO

# The rows the issue names, so a renamed or lost benchmark fails here rather than going unseen.
EXPECTED = {
    "test_loop_floor",
    *(f"test_{op}[{store}]" for op in ("create", "update", "delete")
      for store in ("memory", "sqlite", "sqlite-normal", "sqlite-off")),
    "test_read[memory]", "test_read[sqlite]",
    *(f"test_list[{store}-{n}]" for store in ("memory", "sqlite") for n in (10, 10000)),
    "test_logfmt_render[plain]", "test_logfmt_render[escaped]",
    "test_naive_fstring[plain]", "test_naive_fstring[escaped]",
    "test_log_request[local]", "test_log_request[local-disabled]",
    "test_log_request[local-queue]", "test_log_request[prod]", "test_log_request[prod-queue]",
    "test_parse_task[valid]", "test_parse_task[invalid]",
    "test_serialize_task", "test_serialize_list_100",
    *(f"test_request_{e}" for e in ("post", "get_one", "get_list", "put", "delete", "bad_input")),
    "test_request_bare_tornado",
    "test_request_bare_tornado_on_llhttp",
    *(f"test_{how}[{table}-{read}]" for how in ("inline", "hop_to_a_thread")
      for table in ("rowid", "without-rowid") for read in ("get", "page")),
    *(f"test_get_with_statement_cache[{table}-{size}]"
      for table in ("rowid", "without-rowid") for size in (0, 128)),
}  # fmt: skip


def bench(*args: str, via_run_py: bool = False) -> subprocess.CompletedProcess[str]:
    cmd = [str(REPO / "run.py"), "bench"] if via_run_py else ["-m", "bench"]
    return subprocess.run(
        [sys.executable, *cmd, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One full quick pass through run.py, as CI runs it: the run folder and the output."""
    profiles = tmp_path_factory.mktemp("profiles")
    done = bench("micro", "--quick", "--profiles", str(profiles), via_run_py=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return Path(done.stdout.splitlines()[-1]), done.stdout


def test_quick_pass_measures_every_named_benchmark(quick_run: tuple[Path, str]) -> None:
    folder, _ = quick_run
    benchmarks = json.loads((folder / "micro.json").read_text())["benchmarks"]
    assert {b["name"] for b in benchmarks} == EXPECTED
    assert all(b["stats"]["median"] > 0 and b["stats"]["rounds"] >= 3 for b in benchmarks)


def test_quick_pass_saves_machine_commit_and_histograms_and_prints_its_folder_last(
    quick_run: tuple[Path, str],
) -> None:
    folder, stdout = quick_run
    assert folder.parent.name.startswith("profiles")
    assert folder.name.endswith("-bench-micro")
    meta = json.loads((folder / "meta.json").read_text())
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    assert meta["commit"] == head.stdout.strip()
    assert meta["machine"]["cpus"] >= 1
    assert json.loads((folder / "micro.json").read_text())["machine_info"]["python_version"]
    svgs = list(folder.glob("histogram*.svg"))
    assert len(svgs) >= 6  # one per group
    assert all(svg.read_text().lstrip().startswith(("<?xml", "<svg")) for svg in svgs)
    assert not (folder / "scratch").exists()
    assert "| test_request_get_one |" in stdout
    assert (folder / "summary.md").read_text().strip() in stdout


def test_compare_exits_1_and_names_the_benchmark_that_got_slower(
    quick_run: tuple[Path, str], tmp_path: Path
) -> None:
    folder, _ = quick_run
    # An earlier run that was 100 times faster, taken on another machine.
    earlier = tmp_path / "20000101-000000-bench-micro"
    shutil.copytree(folder, earlier)
    data = json.loads((earlier / "micro.json").read_text())
    for b in data["benchmarks"]:
        b["stats"]["median"] /= 100
    (earlier / "micro.json").write_text(json.dumps(data))
    meta = json.loads((earlier / "meta.json").read_text())
    meta["machine"]["node"] = "another-box"
    (earlier / "meta.json").write_text(json.dumps(meta))

    args = ["micro", "--quick", "-k", "logfmt_render", "--profiles", str(tmp_path)]
    slower = bench(*args, "--compare", earlier.name)
    assert slower.returncode == 1, slower.stdout + slower.stderr
    assert "| test_logfmt_render[plain] |" in slower.stdout
    assert "SLOWER" in slower.stdout
    assert "NOTE: different machines: another-box" in slower.stdout
    assert Path(slower.stdout.splitlines()[-1]).is_dir()

    # The previous run is the default baseline; a generous threshold lets the same code pass.
    again = bench(*args, "--compare", "--threshold", "1000")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Compared with " in again.stdout
    assert f"Compared with {earlier.name}" not in again.stdout


def test_compare_with_an_unknown_run_exits_2_before_running(tmp_path: Path) -> None:
    done = bench("micro", "--quick", "--compare", "no-such-run", "--profiles", str(tmp_path))
    assert done.returncode == 2
    assert "no saved run 'no-such-run'" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_bench_load_adds_the_standard_load_benchmark_to_the_run(tmp_path: Path) -> None:
    done = bench("load", "--quick", "-k", "read-heavy", "--profiles", str(tmp_path))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    folder = Path(done.stdout.splitlines()[-1])
    rows = json.loads((folder / "load.json").read_text())["scenarios"]
    assert list(rows) == ["read-heavy"]
    assert rows["read-heavy"]["requests"] > 0
    assert rows["read-heavy"]["failures"] == 0
    assert (folder / "load" / "read-heavy" / "summary.md").is_file()
    assert not (folder / "micro.json").exists()
    for field in ("rps", "p50_ms", "p95_ms", "p99_ms"):
        assert f"| load read-heavy {field} |" in done.stdout
    assert "WARNING" not in done.stdout
