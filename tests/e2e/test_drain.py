"""SIGTERM drains: idle connections go at once, requests in flight finish and are stored.

Each test waits on events, not on time: the in-flight gauge (a request counts from its head, so
the server has read it) before the signal, and the STOPPING line (the drain has begun) before
the client goes on.
"""

from __future__ import annotations

import re
import signal
import socket
from pathlib import Path

import pytest

from tests.e2e.conftest import StartServer, start_with_admin
from tests.support.server import wait_in_flight

DEFAULT_SHUTDOWN_TIMEOUT_S = 10


def post_head(body_length: int) -> bytes:
    return f"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: {body_length}\r\n\r\n".encode()


def test_idle_connections_are_closed_at_once_while_a_request_drains(
    start_server: StartServer,
) -> None:
    server, admin = start_with_admin(start_server, "--store", "memory://")
    assert server.proc is not None
    # Connected in this order, and accepted in it: once the last one's head is read, the server
    # holds the other two as idle connections.
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=10) as keep_alive,
        socket.create_connection(("127.0.0.1", server.port), timeout=10) as half_head,
        socket.create_connection(("127.0.0.1", server.port), timeout=10) as mid_body,
    ):
        keep_alive.sendall(b"GET /tasks HTTP/1.1\r\nHost: a\r\n\r\n")
        assert keep_alive.recv(4096).startswith(b"HTTP/1.1 200 ")
        half_head.sendall(b"GET /tasks HTTP/1.1\r\nHost: a\r\n")  # the head is not complete
        mid_body.sendall(post_head(14) + b"{")
        wait_in_flight(admin)
        server.begin_drain()
        # Both idle connections are closed as the drain begins, not at the 10 s shutdown bound.
        for idle in (keep_alive, half_head):
            idle.settimeout(DEFAULT_SHUTDOWN_TIMEOUT_S / 2)
            assert idle.recv(4096) == b""
        assert server.proc.poll() is None, "the request in flight keeps the server draining"
        mid_body.sendall(b'"title": "t"}')
        assert mid_body.recv(4096).startswith(b"HTTP/1.1 201 ")
    assert server.wait() == 0
    assert "message=STOPPED drained=true cut_off=0 idle_closed=2 " in server.stdout


def test_request_half_sent_at_sigterm_is_answered_and_stored(
    start_server: StartServer, tmp_path: Path
) -> None:
    store = f"sqlite:///{tmp_path}/tasks.db"
    server, admin = start_with_admin(start_server, "--store", store)
    body = b'{"title": "half sent when SIGTERM came", "priority": "high"}'
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(post_head(len(body)) + body[:20])
        wait_in_flight(admin)  # the server has the head and part of the body
        server.begin_drain()
        sock.sendall(body[20:])  # the client finishes sending after the drain began
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 201 Created\r\n")
    location = re.search(rb"\r\nLocation: (\S+)\r\n", answer)
    assert location is not None
    assert server.wait() == 0
    # drained=true: the request was answered within the shutdown timeout, not cut off at it.
    assert "message=STOPPED drained=true cut_off=0" in server.stdout

    restarted = start_server("--store", store)
    stored = restarted.request("GET", location[1].decode())
    assert (stored.status, stored.json()["title"]) == (200, "half sent when SIGTERM came")
    assert restarted.stop() == 0


@pytest.mark.parametrize("second", [signal.SIGTERM, signal.SIGINT])
def test_second_signal_during_the_drain_exits_at_once_with_128_plus_its_number(
    start_server: StartServer, tmp_path: Path, second: signal.Signals
) -> None:
    config = tmp_path / "patient.yaml"
    config.write_text("server:\n  shutdown_timeout: 60\nstore:\n  url: memory://\n")
    server, admin = start_with_admin(start_server, "--config", str(config))
    assert server.proc is not None
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(post_head(100) + b"{")  # a body that never completes
        wait_in_flight(admin)
        server.begin_drain()
        assert server.proc.poll() is None, "the first signal drains"
        server.proc.send_signal(second)
        assert server.wait(timeout=10) == 128 + second
    assert f"message=STOPPED forced=true signal={second.name}" in server.stdout
    assert "Traceback" not in server.stderr


def test_request_pipelined_behind_a_draining_one_is_dropped_not_acted_on(
    start_server: StartServer, tmp_path: Path
) -> None:
    db = tmp_path / "tasks.db"
    server, admin = start_with_admin(start_server, "--store", f"sqlite:///{db}")
    first, second = b'{"title": "first"}', b'{"title": "second"}'
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(post_head(len(first)) + first[:5])
        wait_in_flight(admin)
        server.begin_drain()
        # The rest of the first request and all of a second arrive together, so the server has
        # the second one's head in its buffer when it closes the connection after the first.
        sock.sendall(first[5:] + post_head(len(second)) + second)
        answers = b""
        while chunk := sock.recv(4096):
            answers += chunk
    assert answers.startswith(b"HTTP/1.1 201 Created\r\n")
    assert answers.count(b"HTTP/1.1") == 1
    assert server.wait() == 0
    # The second request never reached a handler: it was neither stored nor answered.
    assert server.stdout.count("method=POST uri=/tasks ip=127.0.0.1 message=RESPONSE") == 1
    restarted = start_server("--store", f"sqlite:///{db}")
    assert [task["title"] for task in restarted.request("GET", "/tasks").json().values()] == [
        "first"
    ]
    assert restarted.stop() == 0
