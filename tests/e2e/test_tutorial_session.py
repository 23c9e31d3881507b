"""The tutorial's curl session, replayed over real HTTP against a real server process."""

from __future__ import annotations

import socket
from pathlib import Path

import yaml

from tests.e2e.conftest import StartServer
from tests.support.logfmt_parser import parse_logfmt
from tests.support.server import REPO

# What `curl -d` sends: its default form content type, not JSON.
CURL = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"}
JSON_TYPE = "application/json; charset=UTF-8"


def local_config(tmp_path: Path) -> Path:
    """The shipped local config, with its log file moved into the test's folder."""
    config = yaml.safe_load((REPO / "configs" / "todoList-local.yaml").read_text())
    config["logging"]["handlers"]["file"]["filename"] = str(tmp_path / "app.log")
    path = tmp_path / "local.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_tutorial_curl_session_works_as_written(start_server: StartServer, tmp_path: Path) -> None:
    server = start_server("--config", str(local_config(tmp_path)), "--debug")

    # curl -i -X POST http://localhost:8080/tasks -d '{"title": "Task1"}'
    created = server.request("POST", "/tasks", '{"title": "Task1"}', CURL)
    assert (created.status, created.reason, created.body) == (201, "Created", b"")
    location = created.headers["location"]
    task_id = location.removeprefix("/tasks/")
    assert location == f"/tasks/{task_id}"
    assert len(task_id) == 32

    # curl -i -X GET http://localhost:8080/tasks/{id}
    got = server.request("GET", location)
    assert (got.status, got.headers["content-type"]) == (200, JSON_TYPE)
    assert got.json()["title"] == "Task1"

    # curl -i -X PUT http://localhost:8080/tasks/{id} -d '{"title": "Task2"}'
    put = server.request("PUT", location, '{"title": "Task2"}', CURL)
    assert (put.status, put.reason, put.body) == (204, "No Content", b"")

    # curl -i -X GET http://localhost:8080/tasks
    listed = server.request("GET", "/tasks")
    assert (listed.status, listed.headers["content-type"]) == (200, JSON_TYPE)
    assert {k: v["title"] for k, v in listed.json().items()} == {task_id: "Task2"}

    # curl -i -X DELETE http://localhost:8080/tasks/{id}
    deleted = server.request("DELETE", location)
    assert (deleted.status, deleted.body) == (204, b"")

    # curl -i -X GET http://localhost:8080/tasks
    empty = server.request("GET", "/tasks")
    assert (empty.status, empty.body) == (200, b"{}")

    # curl -i -X GET http://localhost:8080/tasks/{id}: 404, a JSON error, in debug a trace
    missing = server.request("GET", location)
    assert (missing.status, missing.reason) == (404, "Not Found")
    assert missing.headers["content-type"] == JSON_TYPE
    error = missing.json()
    assert (error["method"], error["uri"], error["code"]) == ("GET", location, 404)
    assert task_id in error["message"]
    assert error["trace"].startswith("Traceback")

    assert server.stop() == 0
    # The local config's layout: brief INFO lines on the console, detailed DEBUG lines in a file.
    console = [line for line in server.stdout.splitlines() if "message=RESPONSE" in line]
    assert len(console) == 8
    assert " taskservice INFO : " in console[0]
    file_lines = (tmp_path / "app.log").read_text().splitlines()
    requests = [line for line in file_lines if "message=REQUEST" in line]
    assert len(requests) == 8
    assert all("level=DEBUG" in line for line in requests)
    parse_logfmt(requests[0])  # the detailed file format is logfmt end to end


def test_hostile_request_line_stays_one_log_line(start_server: StartServer, tmp_path: Path) -> None:
    server = start_server("--store", "memory://")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b'GET /tasks/"x"message=FAKE"=status=200\\ HTTP/1.1\r\nHost: a\r\n\r\n')
        assert sock.recv(4096).startswith(b"HTTP/1.1 404 ")
    assert server.stop() == 0
    lines = [line for line in server.stdout.splitlines() if "RESPONSE" in line and "/tasks" in line]
    (line,) = lines
    fields = parse_logfmt(line.split(" : ", 1)[1])
    assert [k for k, _ in fields].count("message") == 1
    assert [k for k, _ in fields].count("status") == 1
    assert dict(fields)["status"] == "404"
