"""Profiling a real server: whole-run yappi files at SIGTERM, and the admin debug endpoints."""

from __future__ import annotations

import http.client
import json
import os
import pstats
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest

from bench.load.service import free_port
from tests.e2e.conftest import StartServer
from tests.support.server import REPO, SERVER, ServerProcess, run_server, wait_until

# A frame of each transport's own that a profile of requests must show.
TRANSPORT_FRAME = {
    "tornado": "HTTP1Connection",
    "llhttp": "Connection.data_received (taskservice/tornado/llhttp/protocol.py:",
}


def exercise(server: ServerProcess, rounds: int) -> None:
    """Every route a few times: 7 requests a round."""
    for i in range(rounds):
        created = server.request("POST", "/tasks", json.dumps({"title": f"task {i}"}))
        assert created.status == 201
        location = created.headers["location"]
        assert server.request("GET", location).status == 200
        assert server.request("PUT", location, json.dumps({"title": "done"})).status == 204
        assert server.request("GET", "/tasks?limit=5").status == 200
        assert server.request("DELETE", location).status == 204
        assert server.request("GET", "/nowhere").status == 404
        assert server.request("GET", "/healthz").status == 200


def admin_get(port: int, path: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_whole_run_profile_is_written_at_sigterm(
    start_server: StartServer, tmp_path: Path, clock: str
) -> None:
    out = tmp_path / "yappi-out"
    store = f"sqlite:///{tmp_path}/tasks.db"
    server = start_server(
        "--store", store, "--yappi", "--yappi-clock", clock, "--yappi-output", str(out)
    )
    assert f" yappi={clock} " in server.stdout
    exercise(server, rounds=6)
    assert server.stop() == 0
    stem = out / f"yappi-{clock}"
    pstat, callgrind, collapsed, svg, top = (
        Path(f"{stem}.pstat"),
        Path(f"{stem}.callgrind"),
        Path(f"{stem}.collapsed"),
        Path(f"{stem}.svg"),
        Path(f"{stem}-top.txt"),
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in (pstat, callgrind, collapsed, svg, top)
    )
    assert f"message=YAPPI_SAVED folder={out} clock={clock} files=5" in server.stdout
    picture = svg.read_text()
    for frame in (
        "TodoListHandler.post (taskservice/tornado/app.py:",
        "TaskHandler.get (",
        "RequestHandler._execute (tornado/web.py:",
        TRANSPORT_FRAME[server.transport],
    ):
        assert frame in picture, frame
    for route in (
        "POST /tasks",
        "GET /tasks/{id}",
        "PUT /tasks/{id}",
        "DELETE /tasks/{id}",
        "GET /tasks",
        "GET (unmatched)",
        "GET /healthz",
        "(loop)",
    ):
        assert route in picture, route
    profile = pstats.Stats(str(pstat)).get_stats_profile()
    assert any(name.endswith("post") for name in profile.func_profiles)
    assert callgrind.read_text().startswith("version: 1\ncreator: yappi\n")
    roots = {line.split(";")[0] for line in collapsed.read_text().splitlines()}
    assert "POST /tasks" in roots
    assert "== POST /tasks  (" in top.read_text()


def test_an_unwritable_profile_folder_is_a_one_line_error_at_start(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("in the way")
    result = run_server(
        tmp_path,
        "--port",
        str(free_port()),
        "--store",
        "memory://",
        "--yappi",
        "--yappi-output",
        str(tmp_path / "file" / "out"),
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("taskservice: cannot start: profiling.output: cannot write to ")


def test_the_server_imports_no_profiler_until_one_is_asked_for() -> None:
    code = "import sys, taskservice.tornado.server; print('yappi' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr


def test_without_yappi_the_server_serves_but_whole_run_profiling_is_refused_at_start(
    tmp_path: Path,
) -> None:
    # A yappi that cannot be imported, found before the real one.
    blocker = tmp_path / "no-yappi"
    blocker.mkdir()
    (blocker / "yappi.py").write_text("raise ImportError('yappi is not installed here')\n")
    env = {"PYTHONPATH": str(blocker)}
    out = str(tmp_path / "out")
    refused = subprocess.run(
        [sys.executable, str(SERVER), "--port", str(free_port()), "--yappi", "--yappi-output", out],
        cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "taskservice: cannot start: yappi is not installed: "
        "install the profile extra (pip install '.[profile]')"
    )
    server = ServerProcess(tmp_path / "serves", ["--store", "memory://"], env=env).start()
    assert server.request("POST", "/tasks", body=b'{"title": "t"}').status == 201
    assert server.stop() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--admin-debug"], "config error: --admin-debug: needs admin.port"),
        (["--port", "9123", "--admin-port", "9123"], "--admin-port: must differ from server.port"),
    ],
)
def test_bad_admin_flags_exit_2_in_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_server(tmp_path, "--store", "memory://", *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0]


def test_a_busy_admin_port_is_a_one_line_error_at_start(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_server(
            tmp_path, "--port", str(free_port()), "--store", "memory://", "--admin-port", str(port)
        )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"taskservice: cannot start: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


def profiling(admin: int) -> bool:
    """Whether a live profile is recording: a task waits in ProfileHandler.get."""
    status, _, body = admin_get(admin, "/debug/tasks")
    assert status == 200
    return any(
        frame.startswith("ProfileHandler.get ")
        for task in json.loads(body)
        for frame in task["stack"]
    )


def test_live_profile_shows_the_handlers_serving_meanwhile(start_server: StartServer) -> None:
    admin = free_port()
    server = start_server("--store", "memory://", "--admin-port", str(admin), "--admin-debug")
    assert f" admin_port={admin} " in server.stdout
    busy = threading.Event()
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            exercise(server, rounds=1)
            busy.set()

    worker = threading.Thread(target=load)
    worker.start()
    try:
        assert busy.wait(60)
        results: dict[str, tuple[int, dict[str, str], bytes]] = {}
        first = threading.Thread(
            target=lambda: results.update(first=admin_get(admin, "/debug/profile?seconds=4"))
        )
        first.start()
        # The second asks once the first is recording (its handler waits in get), not after a
        # delay the first may not have started within on a busy machine.
        assert wait_until(lambda: profiling(admin), timeout=30), "the first profile runs"
        status, _, body = admin_get(admin, "/debug/profile?seconds=1")
        assert status == 409, body
        assert "already running" in json.loads(body)["message"]
        first.join(30)
    finally:
        stop.set()
        worker.join(30)
    status, headers, svg = results["first"]
    assert status == 200, svg
    assert headers["content-type"] == "image/svg+xml"
    for frame in (
        b"TaskHandler.get",
        b"TaskHandler.put",
        b"TodoListHandler.post",
        b"tornado/web.py",
        b"POST /tasks",
        b"GET /tasks/{id}",
    ):
        assert frame in svg, frame
    status, headers, body = admin_get(admin, "/debug/tasks")
    assert status == 200
    tasks = json.loads(body)
    coroutines = {task["coroutine"] for task in tasks}
    assert "serve" in coroutines
    # Tornado's server runs a task per connection; llhttp's connections are protocols, no task.
    loop_task = "HTTP1ServerConnection._server_request_loop"
    assert (loop_task in coroutines) == (server.transport == "tornado")
    serve = next(task for task in tasks if task["coroutine"] == "serve")
    assert serve["stack"][0].startswith("serve (taskservice/tornado/server.py:")
    assert server.stop() == 0


def test_debug_endpoints_are_absent_by_default(start_server: StartServer) -> None:
    server = start_server("--store", "memory://")
    assert "admin_port" not in server.stdout
    for path in ("/debug/profile?seconds=1", "/debug/tasks"):
        response = server.request("GET", path)
        assert response.status == 404
        assert response.json()["message"].startswith("no such endpoint")
    assert server.proc is not None
    listening = [
        c
        for c in psutil.Process(server.proc.pid).net_connections("tcp")
        if c.status == psutil.CONN_LISTEN
    ]
    assert [c.laddr.port for c in listening] == [server.port]  # no admin listener at all


def test_admin_port_0_picks_a_free_port_that_answers_json(start_server: StartServer) -> None:
    server = start_server("--store", "memory://", "--admin-port", "0")
    found = re.search(r" admin_port=(\d+) ", server.stdout)
    assert found is not None
    port = int(found.group(1))
    assert port not in (0, server.port)
    status, headers, body = admin_get(port, "/debug/profile")
    assert status == 404  # debug is off
    assert headers["content-type"] == "application/json; charset=UTF-8"
    assert json.loads(body)["code"] == 404
