"""`--workers N`: one port, N processes, one store; every worker drains, a dead one is replaced."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from bench.load.service import free_port
from tests.e2e.conftest import StartServer
from tests.support.postgres import fresh_database, run_sql, server_dsn_or_skip
from tests.support.server import SERVER, ServerProcess, in_flight, run_server, wait_in_flight

# Every line to stdout with the pid of the process that wrote it.
CONFIG = """
logging:
  version: 1
  disable_existing_loggers: false
  formatters:
    pid: {format: 'pid=%(process)d %(levelname)s %(message)s'}
  handlers:
    out: {class: logging.StreamHandler, formatter: pid, stream: ext://sys.stdout, level: INFO}
  loggers:
    taskservice: {level: INFO, handlers: [out], propagate: false}
"""


def wait_for(predicate: object, timeout: float = 20.0, what: str = "") -> None:
    """Poll `predicate()` until it is true, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


def worker_pids(server: ServerProcess, n: int = 2) -> list[int]:
    """Wait for the supervisor's STARTING line; the workers' pids, by worker index."""
    pattern = re.compile(rf"message=STARTING workers={n} pids=([0-9,]+) supervisor=")
    wait_for(lambda: pattern.search(server.stdout), what="the supervisor's STARTING line")
    found = pattern.search(server.stdout)
    assert found is not None
    return [int(pid) for pid in found[1].split(",")]


_RESPONSE = re.compile(r"pid=(\d+) \w+ req_id=\S+ .*message=RESPONSE")


def answering_pids(server: ServerProcess, since: int = 0) -> set[int]:
    """The pids that wrote RESPONSE lines, from character `since` of stdout on."""
    return {int(pid) for pid in _RESPONSE.findall(server.stdout[since:])}


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie that nobody reaped yet counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.fixture
def workers(start_server: StartServer, tmp_path: Path) -> Iterator[ServerProcess]:
    """Two workers on a sqlite store in tmp_path, with an admin port, logging their pids."""
    config = tmp_path / "workers.yaml"
    config.write_text(CONFIG)
    admin = free_port()
    store = f"sqlite:///{tmp_path}/tasks.db"
    server = start_server(
        "--config", str(config), "--workers", "2", "--store", store, "--admin-port", str(admin)
    )
    server.admin_port = admin  # type: ignore[attr-defined]
    yield server
    server.kill()
    wait_for(lambda: not any(alive(p) for p in worker_pids(server)), what="the workers to end")


def holders(pids: list[int], port: int) -> dict[int, int]:
    """Which worker has accepted each connection to `port`: client port -> worker pid."""
    held = {}
    for pid in pids:
        for conn in psutil.Process(pid).net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.raddr:
                held[conn.raddr.port] = pid
    return held


def accepted(pids: list[int], port: int, clients: set[int]) -> dict[int, int]:
    """Wait until the workers have accepted the connections from these client ports; which
    worker holds each (client port -> pid)."""
    held: dict[int, int] = {}

    def every_one() -> bool:
        held.update(holders(pids, port))
        return clients <= held.keys()

    wait_for(every_one, what="the workers to accept every connection")
    return held


def connect_to_both(server: ServerProcess, pids: list[int], count: int) -> list[socket.socket]:
    """At least `count` connections to the workers' port, each worker holding some of them.

    The kernel hands each new connection to a worker by a hash of its addresses, so once in a
    while all of a few land on one worker: another is then opened, until both have some.
    """
    socks: list[socket.socket] = []
    try:
        while len(socks) < 64:
            while len(socks) < count:
                socks.append(socket.create_connection(("127.0.0.1", server.port), timeout=15))
            ports = {sock.getsockname()[1] for sock in socks}
            held = accepted(pids, server.port, ports)
            if {held[port] for port in ports} == set(pids):
                return socks
            count = len(socks) + 1
    except BaseException:
        for sock in socks:
            sock.close()
        raise
    pytest.fail("64 connections and the kernel gave all of them to one worker")


def create_tasks(server: ServerProcess, count: int) -> list[str]:
    """POST `count` tasks, each on a new connection (so the kernel spreads them); their paths."""
    paths = []
    for i in range(count):
        r = server.request("POST", "/tasks", json.dumps({"title": f"task {i}"}))
        assert r.status == 201
        paths.append(r.headers["location"])
    return paths


def logged_process(cmd: list[str], folder: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """Start `cmd` in `folder`, its output (stdout and stderr) to folder/out.log."""
    out = folder / "out.log"
    with out.open("wb") as sink:
        proc = subprocess.Popen(cmd, cwd=folder, stdout=sink, stderr=subprocess.STDOUT)
    return proc, out


def start_supervisor(folder: Path, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    """A supervisor of two workers on a sqlite store in `folder`; its process and output file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "workers.yaml").write_text(CONFIG)
    cmd = [sys.executable, str(SERVER), "--config", str(folder / "workers.yaml"), "--workers", "2"]
    return logged_process([*cmd, "--store", f"sqlite:///{folder}/tasks.db", *args], folder)


def stop(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM if still running; the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=30)


def test_several_workers_refuse_the_memory_store_and_exit_2(tmp_path: Path) -> None:
    result = run_server(tmp_path, "--workers", "2", "--store", "memory://")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "taskservice: config error: --workers: 2 workers cannot share the memory store; "
        "use a sqlite:/// or postgresql:// store URL, or 1 worker"
    ]


def test_two_workers_serve_one_port_and_share_one_sqlite_store(workers: ServerProcess) -> None:
    pids = worker_pids(workers)
    assert len(set(pids)) == 2
    paths = create_tasks(workers, 30)
    for i, path in enumerate(paths):  # each read on a new connection, so any worker may answer
        r = workers.request("GET", path)
        assert (r.status, r.json()["title"]) == (200, f"task {i}")
    listed = workers.request("GET", "/tasks?limit=100").json()
    assert len(listed) == 30
    # 61 connections spread by the kernel's hash: both workers answered some of them.
    assert answering_pids(workers) == set(pids)
    assert workers.stop() == 0
    assert "message=STOPPED workers=2 exit_codes=0,0" in workers.stdout


def test_port_zero_means_one_free_port_for_every_worker(tmp_path: Path) -> None:
    proc, out = start_supervisor(tmp_path, "--port", "0")
    try:
        line = re.compile(r"message=STARTING workers=2 pids=\S+ supervisor=\d+ host=\S+ port=(\d+)")
        wait_for(lambda: line.search(out.read_text()), what="the STARTING line")
        found = line.search(out.read_text())
        assert found is not None
        port = int(found[1])
        assert port != 0
        ports = re.findall(
            r"message=STARTING service_name=\S+ host=\S+ port=(\d+)", out.read_text()
        )
        assert ports == [str(port), str(port)]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_sigterm_drains_every_worker_and_stores_what_was_in_flight(
    workers: ServerProcess, start_server: StartServer, tmp_path: Path
) -> None:
    pids = worker_pids(workers)
    assert workers.proc is not None
    socks = connect_to_both(workers, pids, 8)
    bodies = [json.dumps({"title": f"in flight {i}"}).encode() for i in range(len(socks))]
    try:
        for sock, body in zip(socks, bodies, strict=True):
            head = f"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: {len(body)}\r\n\r\n"
            sock.sendall(head.encode() + body[:5])
        wait_in_flight(workers.admin_port, len(socks))  # type: ignore[attr-defined]
        workers.proc.send_signal(signal.SIGTERM)
        # Each worker says its drain has begun before the clients send the rest.
        wait_for(
            lambda: workers.stdout.count("message=STOPPING in_flight=") == 2,
            what="both workers' STOPPING lines",
        )
        assert workers.proc.poll() is None, "requests in flight keep the workers draining"
        answers = []
        for sock, body in zip(socks, bodies, strict=True):
            sock.sendall(body[5:])
            answers.append(sock.recv(4096))
    finally:
        for sock in socks:
            sock.close()
    assert all(a.startswith(b"HTTP/1.1 201 ") for a in answers), answers
    assert workers.wait(timeout=30) == 0
    out = workers.stdout
    assert out.count("message=STOPPED drained=true cut_off=0") == 2  # one line per worker
    assert "message=STOPPED workers=2 exit_codes=0,0" in out
    # Both workers held some of the eight (else this test drained only one of them).
    assert len(answering_pids(workers)) == 2
    restarted = start_server("--store", f"sqlite:///{tmp_path}/tasks.db")
    titles = sorted(t["title"] for t in restarted.request("GET", "/tasks").json().values())
    assert titles == sorted(f"in flight {i}" for i in range(len(socks)))


def test_a_killed_worker_is_reported_and_replaced(workers: ServerProcess) -> None:
    first, second = worker_pids(workers)
    os.kill(first, signal.SIGKILL)
    exited = re.compile(
        rf"ERROR message=WORKER_EXITED worker=0 pid={first} signal=SIGKILL lived_s=[0-9.]+"
    )
    wait_for(lambda: exited.search(workers.stdout), what="the WORKER_EXITED line")
    restarted = re.compile(r"WARNING message=WORKER_RESTARTED worker=0 pid=(\d+)")
    wait_for(lambda: restarted.search(workers.stdout), what="the WORKER_RESTARTED line")
    found = restarted.search(workers.stdout)
    assert found is not None
    replacement = int(found[1])
    assert replacement not in (first, second)
    wait_for(lambda: workers.stdout.count("message=STARTING service_name=") == 3, what="restart")
    since = len(workers.stdout)
    paths = create_tasks(workers, 20)  # every connection is answered, by either worker
    assert all(workers.request("GET", p).status == 200 for p in paths)
    assert answering_pids(workers, since) == {second, replacement}
    assert workers.stop() == 0


def test_workers_drain_and_exit_when_the_supervisor_is_killed(workers: ServerProcess) -> None:
    pids = worker_pids(workers)
    workers.kill()  # SIGKILL: the supervisor cannot forward anything
    wait_for(lambda: not any(alive(p) for p in pids), timeout=20, what="the orphaned workers")
    assert workers.stdout.count("message=STOPPED drained=true") == 2


def test_metrics_add_up_every_worker(workers: ServerProcess) -> None:
    pids = worker_pids(workers)
    paths = create_tasks(workers, 12)
    for path in paths:
        assert workers.request("GET", path).status == 200
    assert answering_pids(workers) == set(pids)
    admin = workers.admin_port  # type: ignore[attr-defined]
    post = 'taskservice_requests_total{method="POST",route="/tasks",status="201"} 12.0'
    get = 'taskservice_requests_total{method="GET",route="/tasks/{id}",status="200"} 12.0'
    create = (
        'taskservice_store_operation_duration_seconds_count{operation="create",outcome="ok"} 12.0'
    )
    expected = (post, get, create, "taskservice_requests_in_flight 0.0")
    scraped: list[str] = []

    def adds_up() -> bool:
        # A worker counts a request just after writing its answer, and the scrape is another
        # process's: it may come first when the worker waits for a core.
        conn = http.client.HTTPConnection("127.0.0.1", admin, timeout=10)
        conn.request("GET", "/metrics")
        scraped.append(conn.getresponse().read().decode())
        conn.close()
        return all(line in scraped[-1] for line in expected)

    wait_for(adds_up, what="the metrics to add up")


def test_a_port_another_program_holds_stops_the_supervisor_with_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        store = f"sqlite:///{tmp_path}/tasks.db"
        result = run_server(tmp_path, "--port", str(port), "--workers", "2", "--store", store)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"taskservice: cannot start: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_a_store_that_cannot_open_stops_the_supervisor_before_any_worker(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = run_server(tmp_path, "--workers", "2", "--store", f"sqlite:///{tmp_path}/a-file/t.db")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("taskservice: cannot start: ")
    assert "message=STARTING" not in result.stdout  # no worker ever started


def test_run_py_serve_passes_workers_through_to_a_supervisor(tmp_path: Path) -> None:
    port = free_port()
    run_py = Path(SERVER).parents[2] / "run.py"
    args = ["serve", "--workers", "2", "--port", str(port), "--store", f"sqlite:///{tmp_path}/t.db"]
    proc, out = logged_process([sys.executable, str(run_py), *args], tmp_path)
    try:
        wait_for(lambda: "message=STARTING workers=2 " in out.read_text(), what="two workers")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /tasks HTTP/1.1\r\nHost: a\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
    finally:
        proc.send_signal(signal.SIGTERM)  # run.py exec'd the server: this is the supervisor
        assert proc.wait(timeout=30) == 0
    assert "message=STOPPED workers=2 exit_codes=0,0" in out.read_text()


def test_a_second_supervisor_on_a_port_in_use_exits_2_and_the_first_keeps_it(
    tmp_path: Path,
) -> None:
    port = free_port()
    first, first_out = start_supervisor(tmp_path / "first", "--port", str(port))
    second = None
    try:
        wait_for(lambda: "message=STARTING workers=2 " in first_out.read_text(), what="first")
        second, second_out = start_supervisor(tmp_path / "second", "--port", str(port))
        assert second.wait(timeout=30) == 2
        assert (
            f"taskservice: cannot start: cannot listen on 127.0.0.1:{port}: Address already in use"
            in second_out.read_text()
        )
        for i in range(10):  # every connection still reaches the first supervisor's workers
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                body = json.dumps({"title": f"t{i}"}).encode()
                head = f"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: {len(body)}\r\n\r\n"
                sock.sendall(head.encode() + body)
                assert sock.recv(4096).startswith(b"HTTP/1.1 201 ")
    finally:
        assert stop(first) == 0
        if second is not None:
            stop(second)
    assert not (tmp_path / "second" / "tasks.db").exists()


def test_sigterm_while_the_workers_start_is_a_clean_stop(tmp_path: Path) -> None:
    proc, out = start_supervisor(tmp_path, "--port", "0")
    # The supervisor's handler is in before it checks the store, which makes the file; the
    # workers are then still importing.
    wait_for(lambda: (tmp_path / "tasks.db").exists(), what="the store check")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0, out.read_text()
    text = out.read_text()
    assert "message=STOPPED workers=2 exit_codes=0,0" in text
    assert "message=STARTING workers=" not in text  # it never claimed to be serving


def test_a_killed_workers_requests_leave_the_in_flight_gauge(workers: ServerProcess) -> None:
    pids = worker_pids(workers)
    admin = workers.admin_port  # type: ignore[attr-defined]
    head = b"POST /tasks HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n"
    socks = connect_to_both(workers, pids, 8)  # the killed worker holds some, the other too
    try:
        for sock in socks:
            sock.sendall(head)  # a streamed body: each handler runs, and waits for the rest
        wait_in_flight(admin, len(socks))
        os.kill(pids[0], signal.SIGKILL)
        wait_for(lambda: "message=WORKER_RESTARTED" in workers.stdout, what="the replacement")
        # Without mark_process_dead the dead worker's share would stay in the sum.
        remaining = in_flight(admin)
        assert 0 < remaining < len(socks)
    finally:
        for sock in socks:
            sock.close()
    wait_for(lambda: in_flight(admin) == 0, what="the survivors' requests to end")


def test_workers_that_keep_dying_at_once_stop_the_supervisor_with_exit_1(tmp_path: Path) -> None:
    proc, out = start_supervisor(tmp_path, "--port", "0")
    killed: set[int] = set()
    try:
        # Once serving: a worker that dies before the supervisor's start is a start-up failure.
        wait_for(lambda: "message=STARTING workers=2 " in out.read_text(), what="the workers")
        started = re.compile(r"pid=(\d+) INFO message=STARTING service_name=")
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            for pid in map(int, started.findall(out.read_text())):
                if pid not in killed:  # each worker dies as soon as it is up
                    killed.add(pid)
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)
        assert proc.wait(timeout=30) == 1
    finally:
        stop(proc)
    text = out.read_text()
    assert "ERROR message=WORKERS_CRASH_LOOPING quick_exits=5" in text
    assert text.count("message=WORKER_EXITED") == 5
    assert "ERROR message=STOPPED workers=2" in text


def test_each_worker_writes_its_whole_run_profile_to_a_folder_of_its_own(tmp_path: Path) -> None:
    proc, out = start_supervisor(tmp_path, "--port", "0", "--yappi", "--yappi-output", "prof")
    try:
        wait_for(lambda: "message=STARTING workers=2 " in out.read_text(), what="the workers")
    finally:
        assert stop(proc) == 0, out.read_text()
    for index in (0, 1):
        files = sorted(p.name for p in (tmp_path / "prof" / f"worker-{index}").iterdir())
        assert len(files) == 5, files


def test_two_workers_share_one_postgresql_database(
    start_server: StartServer, tmp_path: Path
) -> None:
    with fresh_database(server_dsn_or_skip()) as dsn:
        config = tmp_path / "workers.yaml"
        config.write_text(CONFIG)
        server = start_server("--config", str(config), "--workers", "2", "--store", dsn)
        try:
            pids = worker_pids(server)
            since = len(server.stdout)
            paths = create_tasks(server, 20)
            for i, path in enumerate(paths):  # read back through either worker
                r = server.request("GET", path)
                assert (r.status, r.json()["title"]) == (200, f"task {i}")
            assert answering_pids(server, since) == set(pids)
            stored = run_sql(dsn, "SELECT count(*) FROM tasks")[0][0]
            assert stored == 20
        finally:
            assert server.stop() == 0
