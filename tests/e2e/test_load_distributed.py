"""A locust master and its workers started as separate `./run.py load` commands on loopback.

This is how load is spread across machines: `--remote-workers N` on the master's host, and
`--join HOST:PORT` on each load machine. Every process here is started by the test and stopped
by its PID in a `finally`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load.service import free_port
from tests.e2e.conftest import StartServer
from tests.support.distributed import LoadCommand, wait_for_text

# A run of a few seconds; locust's start-up and its workers' 3-second reports come on top.
RUN_BOUND_S = 60.0
# Past --connect-wait: the interpreter's and locust's start-up, on a machine others share.
STARTUP_SLACK_S = 20.0


@pytest.fixture
def commands() -> Iterator[list[LoadCommand]]:
    """The commands a test starts; any still running at the end are stopped."""
    started: list[LoadCommand] = []
    try:
        yield started
    finally:
        for command in started:
            command.stop()


def start(commands: list[LoadCommand], name: str, *args: str, workdir: Path) -> LoadCommand:
    command = LoadCommand(name, list(args), workdir).start()
    commands.append(command)
    return command


def master_args(service_port: int, master_port: int, out: Path, *extra: str) -> list[str]:
    return [
        "--headless", "--host", f"http://127.0.0.1:{service_port}", "--duration", "3s",
        "--remote-workers", "2", "--master-port", str(master_port), "--out", str(out), *extra,
    ]  # fmt: skip


def summary(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "summary.json").read_text())
    return data


def locust_requests(folder: Path) -> int:
    """Requests in locust's own final totals (--json-file), as the master merged them."""
    return sum(e["num_requests"] for e in json.loads((folder / "totals.json").read_text()))


def test_master_counts_the_requests_of_both_separately_started_workers(
    start_server: StartServer, commands: list[LoadCommand], tmp_path: Path
) -> None:
    server = start_server("--store", "memory://")
    port, out = free_port(), tmp_path / "run"
    args = master_args(server.port, port, out, "--users", "4", "--slo", "error_rate=0")
    master = start(commands, "master", *args, workdir=tmp_path)
    workers = [
        start(commands, f"worker{i}", "--join", f"127.0.0.1:{port}", workdir=tmp_path)
        for i in (1, 2)
    ]

    assert master.wait(RUN_BOUND_S) == 0, master.output()
    for worker in workers:  # the master's quit ends them: nobody signals them here
        assert worker.wait(15) == 0, worker.output()
    reported = summary(out)["workers"]
    assert isinstance(reported, list)
    assert len(reported) == 2, reported
    assert all(w["requests"] > 0 for w in reported), reported
    assert sum(w["requests"] for w in reported) == locust_requests(out) > 0
    assert "master and 2 remote worker(s)" in (out / "summary.md").read_text()
    assert "load: starting with 2 workers" in master.stdout


def test_worker_started_before_its_master_joins_and_open_model_numbers_merge(
    start_server: StartServer, commands: list[LoadCommand], tmp_path: Path
) -> None:
    server = start_server("--store", "memory://")
    port, out = free_port(), tmp_path / "run"
    early = start(commands, "early", "--join", f"127.0.0.1:{port}", workdir=tmp_path)
    wait_for_text(early, "waiting up to 60s for the locust master", timeout=20)
    time.sleep(1)  # it is now polling a port nobody listens on yet
    args = master_args(server.port, port, out, "--scenario", "read-heavy", "--rate", "40")
    master = start(commands, "master", *args, workdir=tmp_path)
    late = start(commands, "late", "--join", f"127.0.0.1:{port}", workdir=tmp_path)

    assert master.wait(RUN_BOUND_S) == 0, master.output()
    assert early.wait(15) == 0, early.output()
    assert late.wait(15) == 0, late.output()
    report = summary(out)
    reported = report["workers"]
    assert isinstance(reported, list)
    assert len(reported) == 2, reported
    assert all(w["requests"] > 0 for w in reported), reported
    open_model = report["open_model"]
    assert isinstance(open_model, dict)
    # Each worker ships its own open-model numbers: merged, they outnumber either worker's.
    from_intended = open_model["from_intended_start"]["requests"]
    assert from_intended > max(w["requests"] for w in reported), (open_model, reported)
    assert open_model["target_rate"] == 40


def test_master_whose_workers_do_not_all_come_exits_1_after_connect_wait(
    start_server: StartServer, commands: list[LoadCommand], tmp_path: Path
) -> None:
    server = start_server("--store", "memory://")
    port, out = free_port(), tmp_path / "run"
    args = master_args(server.port, port, out, "--connect-wait", "4s")
    master = start(commands, "master", *args, workdir=tmp_path)
    lone = start(commands, "lone", "--join", f"127.0.0.1:{port}", workdir=tmp_path)

    assert master.wait(4 + STARTUP_SLACK_S) == 1, master.output()
    elapsed = time.monotonic() - master.started_at
    assert elapsed >= 4, elapsed  # it did wait for the missing worker
    message = (
        f"load: 1 of 2 locust workers joined the master on 127.0.0.1:{port} within 4s "
        "(--connect-wait); no load ran"
    )
    assert message in master.stderr.splitlines(), master.output()
    assert lone.wait(15) == 0, lone.output()  # the master told it to quit
    assert not (out / "totals.json").exists()


def test_worker_whose_master_never_comes_exits_1_after_connect_wait(
    commands: list[LoadCommand], tmp_path: Path
) -> None:
    port = free_port()
    worker = start(
        commands, "worker", "--join", f"127.0.0.1:{port}", "--connect-wait", "2s",
        workdir=tmp_path,
    )  # fmt: skip

    assert worker.wait(2 + STARTUP_SLACK_S) == 1, worker.output()
    assert time.monotonic() - worker.started_at >= 2
    message = (
        f"load: no locust master answered at 127.0.0.1:{port} within 2s (--connect-wait); "
        "is it running, and is the port open?"
    )
    assert message in worker.stderr.splitlines(), worker.output()
