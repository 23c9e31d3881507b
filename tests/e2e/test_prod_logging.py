"""The production config: one INFO RESPONSE line per request in taskservice.log, nothing else."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.e2e.conftest import StartServer
from tests.support.logfmt_parser import parse_logfmt
from tests.support.server import REPO, ServerProcess, run_server

PROD = str(REPO / "configs" / "todoList-prod.yaml")
CLIENTS, EACH = 8, 25


def _response_lines(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if " message=RESPONSE " in line]


def _req_id(line: str) -> str:
    return dict(parse_logfmt(line.split(" : ", 1)[1]))["req_id"]


def _client(server: ServerProcess, client: int, task_id: str) -> list[str]:
    sent = []
    for n in range(EACH):
        req_id = f"c{client}-{n}"
        path = f"/tasks/{task_id}" if n % 2 else "/tasks?limit=5"
        assert server.request("GET", path, headers={"X-Request-ID": req_id}).status == 200
        sent.append(req_id)
    return sent


def test_prod_config_logs_every_request_once_in_order_and_flushes_at_sigterm(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server("--config", PROD, "--store", f"sqlite:///{tmp_path / 't.db'}")
    created = server.request("POST", "/tasks", '{"title": "t"}', {"X-Request-ID": "post"})
    task_id = created.headers["location"].rsplit("/", 1)[1]
    with ThreadPoolExecutor(CLIENTS) as pool:
        sent = list(pool.map(lambda c: _client(server, c, task_id), range(CLIENTS)))
    assert server.stop() == 0
    lines = _response_lines(tmp_path / "taskservice.log")
    logged = [_req_id(line) for line in lines if "req_id=c" in line]
    assert sorted(logged) == sorted(r for client in sent for r in client)
    for client in sent:  # each client waited for an answer before its next request
        assert [r for r in logged if r.split("-")[0] == client[0].split("-")[0]] == client
    assert all(" taskservice INFO : " in line for line in lines)
    assert len(lines) == CLIENTS * EACH + 2  # with the POST and the start-up health check
    text = (tmp_path / "taskservice.log").read_text()
    assert " DEBUG " not in text
    assert "message=STARTING" in text.splitlines()[0]
    assert (server.stdout, server.stderr) == ("", "")


def test_prod_config_writes_warnings_from_the_service_to_the_same_file(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server("--config", PROD, "--store", f"sqlite:///{tmp_path / 't.db'}")
    assert server.request("GET", "/tasks/nope").status == 404
    assert server.stop() == 0
    (line,) = [line for line in _response_lines(tmp_path / "taskservice.log") if "/nope" in line]
    assert " WARNING : " in line
    assert (server.stdout, server.stderr) == ("", "")


def test_prod_config_start_up_failure_exits_cleanly(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_server(tmp_path, "--config", PROD, "--port", str(port), "--store", "memory://")
    assert done.returncode == 2
    assert "cannot listen" in done.stderr
