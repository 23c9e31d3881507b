"""A store in trouble: exit 2 and one line at start, 503 JSON at runtime, no half-written task."""

from __future__ import annotations

import signal
import socket
import sqlite3
from pathlib import Path

from bench.load.service import free_port
from tests.e2e.conftest import StartServer, start_with_admin
from tests.e2e.test_startup_errors import assert_one_line_error
from tests.support.faults import (
    corrupt_pages_after_the_first,
    exclusive_lock,
    file_size_limit,
    obey_file_permissions,
    write_lock,
)
from tests.support.logfmt_parser import parse_logfmt
from tests.support.server import ServerProcess, run_server, wait_in_flight

UNAVAILABLE = "the task store is unavailable; try again later"
SQLITE_BUSY_TIMEOUT_S = 5  # the store's connection waits this long for a lock


def make_database(start_server: StartServer, db: Path, tasks: int = 0) -> list[str]:
    """A database made by the server itself, holding `tasks` tasks; their Locations."""
    server = start_server("--store", f"sqlite:///{db}")
    body = '{"title": "padding", "description": "' + "d" * 2000 + '"}'
    locations = [server.request("POST", "/tasks", body).headers["location"] for _ in range(tasks)]
    assert server.stop() == 0
    return locations


def assert_unavailable(server: ServerProcess, method: str, path: str, body: str = "") -> None:
    response = server.request(method, path, body or None)
    assert response.status == 503
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert response.json() == {"method": method, "uri": path, "code": 503, "message": UNAVAILABLE}


def rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM tasks").fetchone()
    conn.close()
    return int(count)


# --- at start: exit code 2 and one line -----------------------------------------------------


def test_database_file_without_read_permission_exits_2(
    start_server: StartServer, tmp_path: Path
) -> None:
    db = tmp_path / "tasks.db"
    make_database(start_server, db)
    db.chmod(0)
    # As root, the child gives up the capabilities that would let it read the file anyway.
    result = run_server(
        tmp_path, "--store", f"sqlite:///{db}", "--port", str(free_port()),
        preexec=obey_file_permissions,
    )  # fmt: skip
    assert_one_line_error(result, "cannot open sqlite store", str(db), "unable to open")


def test_database_under_a_path_that_is_a_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("not a folder")
    db = tmp_path / "plain-file" / "tasks.db"
    result = run_server(tmp_path, "--store", f"sqlite:///{db}", "--port", str(free_port()))
    assert_one_line_error(result, "cannot open sqlite store", "plain-file is not a folder")


def test_database_locked_by_another_connection_exits_2(
    start_server: StartServer, tmp_path: Path
) -> None:
    db = tmp_path / "tasks.db"
    make_database(start_server, db)
    with exclusive_lock(db):
        result = run_server(tmp_path, "--store", f"sqlite:///{db}", "--port", str(free_port()))
    assert_one_line_error(result, "cannot open sqlite store", "database is locked")


def test_full_disk_at_start_exits_2(tmp_path: Path) -> None:
    db = tmp_path / "tasks.db"
    result = run_server(
        tmp_path, "--store", f"sqlite:///{db}", "--port", str(free_port()),
        preexec=file_size_limit(0),
    )  # fmt: skip
    assert_one_line_error(result, "cannot open sqlite store", "disk I/O error")


# --- at runtime: 503 with a JSON error, nothing half-written --------------------------------


def test_full_disk_at_runtime_answers_503_and_keeps_every_acknowledged_task(
    start_server: StartServer, tmp_path: Path
) -> None:
    db = tmp_path / "tasks.db"
    # Room for the database, its shared-memory index (32 KiB) and a few dozen commits.
    server = start_server("--store", f"sqlite:///{db}", preexec=file_size_limit(160 * 1024))
    body = '{"title": "fills the disk", "description": "' + "f" * 3000 + '"}'
    acknowledged = []
    for _ in range(200):
        response = server.request("POST", "/tasks", body)
        if response.status != 201:
            break
        acknowledged.append(response.headers["location"])
    assert acknowledged, "the first writes fit"
    assert_unavailable(server, "POST", "/tasks", body)
    assert server.request("GET", acknowledged[0]).status == 200  # reads go on
    assert server.stop() == 0

    roomy = start_server("--store", f"sqlite:///{db}")
    for location in acknowledged:
        assert roomy.request("GET", location).json()["description"] == "f" * 3000
    assert roomy.stop() == 0
    assert rows(db) == len(acknowledged)


def test_database_corrupt_beyond_its_header_starts_and_answers_503(
    start_server: StartServer, tmp_path: Path
) -> None:
    db = tmp_path / "tasks.db"
    (location,) = make_database(start_server, db, tasks=1)
    corrupt_pages_after_the_first(db)
    # SQLite reads only the header and the schema when it opens a file; a full check would read
    # every page, so deeper damage is found by the first request that touches it.
    server = start_server("--store", f"sqlite:///{db}")
    assert_unavailable(server, "GET", "/tasks")
    assert_unavailable(server, "GET", location)
    assert_unavailable(server, "POST", "/tasks", '{"title": "t"}')
    assert server.stop() == 0
    assert "database disk image is malformed" in server.stdout


def test_write_stuck_on_a_locked_database_is_cut_off_at_the_shutdown_bound(
    start_server: StartServer, tmp_path: Path
) -> None:
    db = tmp_path / "tasks.db"
    make_database(start_server, db)
    config = tmp_path / "quick.yaml"
    config.write_text(f"server:\n  shutdown_timeout: 0.5\nstore:\n  url: sqlite:///{db}\n")
    server, admin = start_with_admin(start_server, "--config", str(config))
    assert server.proc is not None
    with write_lock(db), socket.create_connection((server.host, server.port)) as sock:
        body = b'{"title": "never stored"}'
        sock.sendall(b"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: 25\r\n\r\n" + body)
        wait_in_flight(admin)  # read whole: its insert waits for the lock
        server.proc.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    stopped = server.stdout.rsplit("message=STOPPED ", 1)[1].splitlines()[0]  # this server's
    assert stopped.startswith("drained=false cut_off=1 ")
    # The drain gives up after 0.5 s; closing the store then waits out the insert's lock wait:
    # bounded, on the server's own clock (a busy machine may be slow to start and end it).
    drain_ms = float(dict(parse_logfmt(stopped))["drain_ms"])
    assert 500 <= drain_ms < 1000 * (0.5 + SQLITE_BUSY_TIMEOUT_S + 5)
    assert rows(db) == 0
