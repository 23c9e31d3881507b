"""`./run.py load` with locust's web UI: a swarm started over its HTTP API reaches the service."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from bench.load.service import free_port
from tests.e2e.conftest import StartServer
from tests.support.load import answers
from tests.support.server import REPO, wait_until


def post(
    port: int, path: str, form: dict[str, str] | list[tuple[str, str]] | None = None
) -> dict[str, object]:
    data = urllib.parse.urlencode(form or {}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        answer: dict[str, object] = json.loads(response.read())
        return answer


def get(port: int, path: str) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}{path}"
    with urllib.request.urlopen(url, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


@pytest.fixture
def web_load(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start `./run.py load` with the web UI; SIGTERM (then SIGKILL) whatever is left at the end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def start_web(started: list[subprocess.Popen[bytes]], tmp_path: Path, *args: str) -> int:
    port = free_port()
    with (tmp_path / "load.out").open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "run.py"), "load", "--web-port", str(port), *args],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    started.append(proc)
    assert wait_until(lambda: answers(port) == 200, timeout=60), (tmp_path / "load.out").read_text()
    return port


def stop_and_check_children_end(proc: subprocess.Popen[bytes]) -> None:
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children  # locust, and the service when the harness started it
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=45) == 0
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]


def test_web_ui_swarm_started_over_http_reaches_the_service(
    start_server: StartServer, web_load: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    server = start_server("--store", "memory://", workdir=tmp_path / "server")
    port = start_web(web_load, tmp_path, "--host", f"http://127.0.0.1:{server.port}")
    form = {"user_count": "2", "spawn_rate": "2", "user_classes": "CrudUser"}
    assert post(port, "/swarm", {**form, "shape_class": "Default"})["success"] is True
    assert wait_until(lambda: "method=POST uri=/tasks" in server.stdout, timeout=20)
    assert post(port, "/stop")["success"] is True
    stop_and_check_children_end(web_load[0])
    assert server.request("GET", "/healthz").status == 200  # a service it did not start lives on


def test_web_ui_on_its_own_service_stops_that_service_at_the_end(
    web_load: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    start_web(web_load, tmp_path)
    servers = [
        c for c in psutil.Process(web_load[0].pid).children(recursive=True)
        if any("server.py" in part for part in c.cmdline())
    ]  # fmt: skip
    assert len(servers) == 1
    stop_and_check_children_end(web_load[0])
    assert not servers[0].is_running()


def trouble(port: int) -> list[str]:
    """What the web UI shows as gone wrong: its exceptions, and its log's errors and tracebacks."""
    shown = [f"exception: {e['msg']}" for e in get(port, "/exceptions")["exceptions"]]
    log = get(port, "/logs")["master"]
    return shown + [line for line in log if "/ERROR/" in line or "Traceback" in line]


def swarm_runs_and_stops_cleanly(
    port: int, form: list[tuple[str, str]], users: int, out: Path
) -> list[str]:
    """START as the web UI does, see requests flow from every user, STOP; returns the log."""
    assert post(port, "/swarm", form)["success"] is True
    seen: list[dict[str, Any]] = []

    def all_running() -> bool:
        # Spawned (locust says "spawning" until then), every user still there (none stopped on
        # start), and requests flowing; the list scenario seeds 1000 tasks before its users
        # start: allow for that.
        seen.append(get(port, "/stats/requests"))
        stats = seen[-1]
        flowing = stats["stats"][-1]["num_requests"] > 50
        return bool(stats["state"] == "running" and stats["user_count"] == users and flowing)

    assert wait_until(all_running, timeout=60), (seen[-1:], out.read_text())
    assert trouble(port) == []
    assert post(port, "/stop")["success"] is True
    assert wait_until(lambda: get(port, "/stats/requests")["state"] == "stopped", timeout=20)
    assert trouble(port) == []
    log: list[str] = get(port, "/logs")["master"]
    return log


def test_web_ui_default_start_runs_every_closed_scenario_and_no_user_fails(
    web_load: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """START with the form's defaults, naming no class: every scenario but the open model runs
    (it has no rate), and nothing fails on start or on stop."""
    port = start_web(web_load, tmp_path)
    log = swarm_runs_and_stops_cleanly(
        port, [("user_count", "6"), ("spawn_rate", "6")], users=6, out=tmp_path / "load.out"
    )
    assert any("open model left out" in line for line in log)
    stop_and_check_children_end(web_load[0])
    # Errors in a user's greenlet (on_stop's, say) reach only locust's own output.
    assert "Traceback" not in (tmp_path / "load.out").read_text()


def test_web_ui_start_with_an_open_rate_runs_the_open_model(
    web_load: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """The open model stays one click away: picked with a rate in the form, it sends requests."""
    port = start_web(web_load, tmp_path)
    form = [("user_count", "2"), ("spawn_rate", "2")]
    form += [("user_classes", "OpenModelUser"), ("open_rate", "40")]
    log = swarm_runs_and_stops_cleanly(port, form, users=2, out=tmp_path / "load.out")
    assert not any("open model left out" in line for line in log)
    stop_and_check_children_end(web_load[0])
    assert "Traceback" not in (tmp_path / "load.out").read_text()
