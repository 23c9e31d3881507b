"""`./run.py bench ratios`: bare Tornado and the service, measured with wrk for real, briefly."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.load.service import stop_process, wait_healthy
from bench.ratios import servers
from bench.ratios.configs import FALLBACK_CONFIG, shown
from bench.ratios.scenarios import BY_NAME, Http
from tests.support import needs
from tests.support.server import REPO
from tests.support.transport import served_by

NAMES = [
    "baseline-get", "baseline-post", "baseline-llhttp-get", "baseline-llhttp-post",
    "minimal-get", "minimal-post", "minimal-list",
    "minimal-llhttp-get", "minimal-llhttp-post", "minimal-llhttp-list",
    "get-one", "post", "list", "get-one-local",
]  # fmt: skip


def wrk_or_skip() -> None:
    """Skip without wrk locally; fail in CI, where .ci/run installs it."""
    if not shutil.which("wrk"):
        needs.skip_or_fail(needs.WRK, "wrk is not installed (apt-get install wrk)")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One quick pass through run.py with small numbers: the run folder and the output."""
    wrk_or_skip()
    profiles = tmp_path_factory.mktemp("profiles")
    done = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "bench", "ratios", "--quick", "--warmup", "0",
         "--seed-tasks", "300", "--profiles", str(profiles)],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return Path(done.stdout.splitlines()[-1]), done.stdout


def test_every_scenario_is_measured_every_round_without_errors(
    quick_run: tuple[Path, str],
) -> None:
    folder, stdout = quick_run
    doc = json.loads((folder / "ratios.json").read_text())
    assert list(doc["scenarios"]) == NAMES
    for name, row in doc["scenarios"].items():
        assert [r["round"] for r in row["rounds"]] == [1, 2, 3], name
        assert row["rps"] > 0, name
        assert 0 < row["p50_ms"] <= row["p99_ms"], name
        assert (row["non_2xx"], row["socket_errors"]) == (0, 0), name
        assert row["http"] == BY_NAME[name].http, name
    assert doc["problems"] == []
    assert "WARNING" not in stdout


def test_ratios_json_says_how_and_against_what_it_measured(quick_run: tuple[Path, str]) -> None:
    folder, _ = quick_run
    doc = json.loads((folder / "ratios.json").read_text())
    assert set(doc["ratios"]) == set(NAMES[2:])
    for name, ratio in doc["ratios"].items():
        assert len(ratio["per_round"]) == 3
        assert ratio["median"] > 0
        if BY_NAME[name].server in ("baseline", "minimal"):
            assert (ratio["target"], ratio["met"], ratio["minimal"]) == (None, None, None)
        else:
            assert isinstance(ratio["met"], bool)
            assert ratio["minimal"] == doc["ratios"][BY_NAME[name].reference]["median"]
    assert doc["wrk"].startswith("wrk ")
    assert doc["load"] == {"threads": 1, "connections": 20, "duration_s": 1, "warmup_s": 0}
    assert doc["store"]["seeded_tasks"] == 300
    assert doc["store"]["synchronous"] == "FULL"
    assert doc["configs"]["prod"] in ("configs/todoList-prod.yaml", shown(FALLBACK_CONFIG))
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        assert doc["pinning"]["server"] != doc["pinning"]["wrk"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    assert doc["commit"] == head.stdout.strip()
    # each round starts with another scenario
    assert len({order[0] for order in doc["orders"]}) == 3


def test_the_table_is_printed_and_saved_and_the_folder_printed_last(
    quick_run: tuple[Path, str],
) -> None:
    folder, stdout = quick_run
    assert folder.name.endswith("-bench-ratios")
    assert "| get-one | llhttp | " in stdout
    assert "| baseline-llhttp-get | llhttp | " in stdout
    assert "≥ 1.60x" in stdout
    assert (folder / "summary.md").read_text().strip() in stdout
    # the stores are deleted, and a clean run keeps no server logs either
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "ratios.json", "summary.md"]


def test_failing_requests_are_warnings_and_exit_1_keeping_the_logs(tmp_path: Path) -> None:
    wrk_or_skip()
    # A body limit below the tutorial's task makes every POST a 413.
    config = yaml.safe_load(FALLBACK_CONFIG.read_text())
    config["server"]["max_body_bytes"] = 8
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(config))
    out = tmp_path / "run"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "bench.ratios", "--out", str(out), "-k", "post", "--rounds", "1",
         "--duration", "1", "--warmup", "0", "--config", str(tmp_path / "tiny.yaml")],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    doc = json.loads((out / "ratios.json").read_text())
    assert doc["problems"][0].startswith("post round 1: ")
    assert "non-2xx responses" in doc["problems"][0]
    assert doc["scenarios"]["post"]["non_2xx"] > 0
    assert doc["scenarios"]["baseline-post"]["non_2xx"] == 0
    logs = Path(doc["logs"])
    assert logs.is_relative_to(out)
    # the service's own log file was moved into the run, beside its console output
    assert (logs / "file-taskservice.log").is_file()
    assert (logs / "post-r1.log").is_file()
    assert not (out / "ratios-scratch" / "stores").exists()


@pytest.mark.parametrize("transport", ["tornado", "llhttp"])
def test_bare_tornado_answers_any_get_with_a_task_and_a_post_with_201_on_either_transport(
    tmp_path: Path, transport: Http
) -> None:
    port = servers.free_port()
    command = servers.baseline_command(port, transport)
    with servers.started("baseline", command, port, tmp_path / "b.log", None) as url:
        conn = http.client.HTTPConnection("127.0.0.1", int(url.rpartition(":")[2]), timeout=5)
        conn.request("GET", "/tasks/anything")
        got = conn.getresponse()
        assert got.status == 200
        assert json.loads(got.read()) == {"title": "Task1", "priority": "none", "completed": False}
        assert got.getheader("Content-Type") == "application/json; charset=UTF-8"
        conn.request("POST", "/tasks", body=b'{"title": "Task1"}')
        posted = conn.getresponse()
        assert (posted.status, posted.read()) == (201, b"")
        assert (posted.getheader("Location") or "").startswith("/tasks/")
        conn.close()
        assert served_by(port) == transport


@pytest.mark.parametrize(
    ("flags", "transport"), [([], "tornado"), (["--http", "tornado"], "tornado"),
                             (["--http", "llhttp"], "llhttp")],
)  # fmt: skip
def test_bench_baseline_serves_200_on_the_transport_its_http_flag_names(
    tmp_path: Path, flags: list[str], transport: str
) -> None:
    port = servers.free_port()
    with (tmp_path / "out.log").open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.baseline", *flags, "--port", str(port)],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        assert wait_healthy(proc, port, 30) is None, (tmp_path / "out.log").read_text()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/tasks/1")
        assert conn.getresponse().status == 200
        conn.close()
        assert served_by(port) == transport
    finally:
        stop_process(proc)
    assert proc.returncode == 0  # a SIGTERM stops it cleanly on either transport
    assert "Traceback" not in (tmp_path / "out.log").read_text()


def test_an_unknown_transport_is_refused_by_bench_baseline() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.baseline", "--http", "h2", "--port", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "invalid choice: 'h2'" in done.stderr


def test_a_server_that_exits_at_start_is_an_error_naming_its_log(tmp_path: Path) -> None:
    port = servers.free_port()
    command = [sys.executable, "-c", "raise SystemExit(3)"]
    with (
        pytest.raises(servers.ServerError, match=r"broken exited with 3; see .*b\.log"),
        servers.started("broken", command, port, tmp_path / "b.log", None),
    ):
        pass
