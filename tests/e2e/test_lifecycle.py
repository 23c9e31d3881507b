"""The server process: durability across restarts, signals, graceful drain, where it binds."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest

from tests.e2e.conftest import StartServer, start_with_admin
from tests.support.logfmt_parser import parse_logfmt
from tests.support.server import ServerProcess, wait_in_flight, wait_until


def test_tasks_survive_a_restart(start_server: StartServer, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/db/tasks.db"
    first = start_server("--store", store)
    location = first.request("POST", "/tasks", '{"title": "durable ✓", "completed": true}')
    location_path = location.headers["location"]
    assert first.stop() == 0

    second = start_server("--store", store)
    got = second.request("GET", location_path)
    assert got.status == 200
    assert got.json() == {"title": "durable ✓", "priority": "none", "completed": True}
    assert second.stop() == 0


def test_default_store_is_sqlite_under_data_in_the_working_directory(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    assert server.request("POST", "/tasks", '{"title": "t"}').status == 201
    assert server.stop() == 0
    assert (tmp_path / "data" / "tasks.db").is_file()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_shuts_down_cleanly_with_exit_0(
    start_server: StartServer, sig: signal.Signals
) -> None:
    server = start_server("--store", "memory://")
    assert server.stop(sig) == 0
    out = server.stdout
    assert "message=STOPPING" in out
    assert "message=STOPPED drained=true" in out
    assert "Traceback" not in server.stderr


def test_sigterm_lets_a_request_whose_body_is_still_arriving_finish(
    start_server: StartServer,
) -> None:
    server, admin = start_with_admin(start_server, "--store", "memory://")
    body = b'{"title": "half sent when SIGTERM came"}'
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = f"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: {len(body)}\r\n\r\n"
        sock.sendall(head.encode() + body[:10])
        wait_in_flight(admin)  # the server has the headers and is waiting for the rest
        server.begin_drain()
        assert server.proc is not None
        assert server.proc.poll() is None, "the server must wait for the request in flight"
        sock.sendall(body[10:])
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 201 Created\r\n")
    assert server.wait() == 0
    assert "message=STOPPED drained=true" in server.stdout


def test_new_connections_are_refused_once_draining(start_server: StartServer) -> None:
    server, admin = start_with_admin(start_server, "--store", "memory://")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: 20\r\n\r\n")
        wait_in_flight(admin)
        server.begin_drain()
        # The listener closes as the drain begins (on llhttp, once its close has run).
        assert wait_until(lambda: refused(server.port)), "a new connection was accepted"
        sock.sendall(b'{"title": "t"}      ')
        assert sock.recv(4096).startswith(b"HTTP/1.1 201 ")
    assert server.wait() == 0


def test_shutdown_timeout_bounds_the_drain(start_server: StartServer, tmp_path: Path) -> None:
    config = tmp_path / "short.yaml"
    config.write_text("server:\n  shutdown_timeout: 0.5\nstore:\n  url: memory://\n")
    server, admin = start_with_admin(start_server, "--config", str(config))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        # A body that never completes: the drain must give up after the timeout.
        sock.sendall(b"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{")
        wait_in_flight(admin)
        # Within ServerProcess.stop's 20 s, well before the 30 s body timeout would end it.
        assert server.stop() == 0
    out = server.stdout
    assert "drained=false cut_off=1" in out
    stopped = out.rsplit("message=STOPPED ", 1)[1].splitlines()[0]
    drain_ms = float(dict(parse_logfmt(stopped))["drain_ms"])
    assert 500 <= drain_ms < 10_000  # the 0.5 s timeout, not the 10 s default
    # The cut-off request is logged as the server's doing, not as a client hang-up.
    (line,) = [line for line in out.splitlines() if "uri=/tasks " in line]
    fields = dict(parse_logfmt(line.split(" : ", 1)[1]))
    assert (fields["status"], fields["error"]) == (
        "503",
        "connection closed by the server's shutdown",
    )


def test_answers_during_the_drain_say_connection_close_and_the_connection_closes(
    start_server: StartServer,
) -> None:
    server, admin = start_with_admin(start_server, "--store", "memory://")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as keep_alive:
        keep_alive.sendall(b"GET /tasks HTTP/1.1\r\nHost: a\r\n\r\n")
        assert b"Connection: close" not in keep_alive.recv(4096)
        # The same connection's next request is in flight (its body half sent) at the signal.
        keep_alive.sendall(b"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: 14\r\n\r\n{")
        wait_in_flight(admin)
        server.begin_drain()
        keep_alive.sendall(b'"title": "t"}')
        answer = keep_alive.recv(4096)
        assert answer.startswith(b"HTTP/1.1 201 ")
        assert b"\r\nConnection: close\r\n" in answer
        assert keep_alive.recv(4096) == b"", "the server closes the connection after answering"
    assert server.wait() == 0


def refused(port: int) -> bool:
    """Whether a new connection to the port is refused."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def test_binds_loopback_only_by_default(start_server: StartServer) -> None:
    server = start_server("--store", "memory://")
    assert "host=127.0.0.1" in server.stdout
    # 127.0.0.2 is this machine too, but not the address the server bound.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", server.port), timeout=5)
    assert server.stop() == 0


def test_host_flag_changes_the_bound_address(start_server: StartServer) -> None:
    server = start_server("--store", "memory://", "--host", "127.0.0.2")
    with socket.create_connection(("127.0.0.2", server.port), timeout=5):
        pass
    assert server.stop() == 0


def test_uvloop_serves_and_drains_like_asyncio(start_server: StartServer, tmp_path: Path) -> None:
    server = start_server("--loop", "uvloop", "--store", f"sqlite:///{tmp_path}/t.db")
    created = server.request("POST", "/tasks", '{"title": "on uvloop"}')
    assert created.status == 201
    got = server.request("GET", created.headers["location"])
    assert got.json() == {"title": "on uvloop", "priority": "none", "completed": False}
    assert server.stop() == 0
    assert "message=STOPPED drained=true" in server.stdout


def test_without_uvloop_llhttp_runs_on_asyncio_and_says_so_once(tmp_path: Path) -> None:
    blocker = tmp_path / "no-uvloop"  # an uvloop that cannot be imported, found first
    blocker.mkdir()
    (blocker / "uvloop.py").write_text("raise ImportError('uvloop is not installed here')\n")
    env = {"PYTHONPATH": str(blocker)}
    server = ServerProcess(tmp_path / "serves", ["--store", "memory://"], env=env).start()
    assert server.request("POST", "/tasks", '{"title": "on asyncio"}').status == 201
    assert server.stop() == 0
    notes = [line for line in server.stdout.splitlines() if "uvloop is not installed" in line]
    assert len(notes) == 1
    assert " INFO : " in notes[0]
    assert " http=llhttp loop=asyncio " in server.stdout
