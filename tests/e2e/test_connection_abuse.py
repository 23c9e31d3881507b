"""Connection abuse: half-open connections, stalled bodies, idle keep-alives and huge heads."""

from __future__ import annotations

import contextlib
import selectors
import socket
import time
from pathlib import Path

import psutil
import pytest

from tests.e2e.conftest import StartServer
from tests.support.logfmt_parser import parse_logfmt
from tests.support.server import ServerProcess

HALF_OPEN = 300
HEADER_TIMEOUT_S = 5.0
STALLED_S = 2.0  # a client that could send nothing for this long has filled every buffer


def start_with(start_server: StartServer, tmp_path: Path, **server: object) -> ServerProcess:
    """A memory-store server with these `server:` config keys."""
    config = tmp_path / "limits.yaml"
    lines = [f"  {key}: {value}" for key, value in server.items()]
    config.write_text("server:\n" + "\n".join(lines) + "\nstore:\n  url: memory://\n")
    return start_server("--config", str(config))


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed this connection (a read gives end-of-file or a reset)."""
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True


def response_fields(server: ServerProcess, uri: str) -> dict[str, str]:
    """The fields of the one RESPONSE log line for this URI."""
    (line,) = [ln for ln in server.stdout.splitlines() if "message=RESPONSE" in ln and uri in ln]
    return dict(parse_logfmt(line.split(" : ", 1)[1]))


def test_half_open_connections_do_not_block_a_real_client_and_are_closed_at_the_header_timeout(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_with(start_server, tmp_path, header_timeout=HEADER_TIMEOUT_S, idle_timeout=600)
    opened = time.monotonic()
    half_open = [socket.create_connection((server.host, server.port)) for _ in range(HALF_OPEN)]
    selector = selectors.DefaultSelector()
    try:
        for n, sock in enumerate(half_open):
            if n % 2:  # half of them send part of a head, the others nothing at all
                sock.sendall(b"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Le")
            selector.register(sock, selectors.EVENT_READ)

        created = server.request("POST", "/tasks", '{"title": "real"}', timeout=HEADER_TIMEOUT_S)
        listed = server.request("GET", "/tasks", timeout=HEADER_TIMEOUT_S)
        assert (created.status, listed.status) == (201, 200)
        assert selector.select(timeout=0) == [], "answered while every half-open one still waits"

        still_open = set(half_open)
        deadline = opened + HEADER_TIMEOUT_S + 20
        while still_open and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=1):
                closed = key.fileobj
                assert isinstance(closed, socket.socket)
                assert closed_by_server(closed)
                selector.unregister(closed)
                still_open.discard(closed)
        assert not still_open, f"{len(still_open)} half-open connections outlived the timeout"
        assert time.monotonic() - opened >= HEADER_TIMEOUT_S
    finally:
        selector.close()
        for sock in half_open:
            sock.close()
    assert server.request("GET", "/healthz").status == 200
    assert server.stop() == 0


def test_keep_alive_connection_may_idle_longer_than_the_header_timeout(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_with(start_server, tmp_path, header_timeout=0.5, idle_timeout=600)
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
        time.sleep(1.5)  # the header timeout bounds only a connection's first request head
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
    assert server.stop() == 0


def test_idle_keep_alive_connection_is_closed_after_the_idle_timeout(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_with(start_server, tmp_path, idle_timeout=0.5)
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
        started = time.monotonic()
        assert closed_by_server(sock)
        assert time.monotonic() - started >= 0.4
    assert server.stop() == 0


@pytest.mark.parametrize(
    ("hang_up", "body_timeout", "status", "error"),
    [
        (False, 0.5, "408", "request body not received within 0.5 s"),
        # The default 30 s: a server slow to see the hang-up (a busy machine) must not take it
        # for a body timeout.
        (True, 30, "499", "client closed the connection"),
    ],
    ids=["stalled body cut off at the body timeout", "client hanging up mid-body"],
)
def test_a_body_cut_short_is_logged_and_nothing_is_stored(
    start_server: StartServer,
    tmp_path: Path,
    hang_up: bool,
    body_timeout: float,
    status: str,
    error: str,
) -> None:
    # A small body of known length is read whole before its handler exists; the request is still
    # logged, whether the body stalls past the timeout or the client goes away halfway through.
    server = start_with(start_server, tmp_path, body_timeout=body_timeout)
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"POST /tasks?cut HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\n\r\n{")
        if not hang_up:
            assert closed_by_server(sock)
    assert server.request("GET", "/tasks").json() == {}
    assert server.stop() == 0  # every line is out once the server has stopped
    fields = response_fields(server, "uri=/tasks?cut")
    assert (fields["status"], fields["error"]) == (status, error)


def test_request_head_over_max_header_bytes_is_refused_and_the_server_stays_up(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_with(start_server, tmp_path, max_header_bytes=2048)
    assert server.request("GET", "/healthz", headers={"X-Pad": "p" * 1500}).status == 200
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Pad: " + b"p" * 4096 + b"\r\n\r\n")
        if server.transport == "llhttp":
            # llhttp's transport says why before it closes; Tornado's server just closes.
            answer = sock.makefile("rb").read()
            assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
            assert answer.endswith(b'"message": "request head larger than 2048 bytes"}')
        else:
            assert closed_by_server(sock)
    assert server.request("GET", "/healthz").status == 200
    assert server.stop() == 0


def test_a_client_that_pipelines_without_reading_cannot_grow_the_servers_memory(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_with(start_server, tmp_path, idle_timeout=600)
    assert server.proc is not None
    process = psutil.Process(server.proc.pid)
    before = process.memory_info().rss
    burst = b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n" * 1000  # 35 KB of requests
    sent = 0
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.setblocking(False)
        # As much as the server takes in, never reading: until nothing more goes for a while
        # (the socket buffers are full and the server has stopped reading), however long the
        # server takes to get there on a busy machine.
        deadline = time.monotonic() + 60
        with selectors.DefaultSelector() as writable:
            writable.register(sock, selectors.EVENT_WRITE)
            while time.monotonic() < deadline and writable.select(timeout=STALLED_S):
                with contextlib.suppress(BlockingIOError):
                    sent += sock.send(burst)
        grown = process.memory_info().rss - before
    # The socket buffers hold the few MB sent; the server parses a bounded queue ahead of the
    # request it answers (parsed requests weigh ten times their bytes) and answers only as
    # fast as the client reads.
    assert sent > 1_000_000, sent
    assert grown < 4 * 2**20, (grown, sent)
    assert server.request("GET", "/healthz").status == 200
    assert server.stop() == 0
