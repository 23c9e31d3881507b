"""HTTP edges that only a real socket shows: oversized bodies, 100-continue, keep-alive."""

from __future__ import annotations

import contextlib
import json
import socket

from tests.e2e.conftest import StartServer
from tests.support.transport import llhttp_knows, method_status


def read_response(sock: socket.socket) -> bytes:
    """Read until the peer closes or a full response with a Content-Length body is in."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length" and len(body) >= int(value):
                    return data


def test_declared_oversized_body_gets_413_before_it_is_sent(start_server: StartServer) -> None:
    server = start_server("--store", "memory://")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n"
            b"Expect: 100-continue\r\n\r\n"
        )
        answer = read_response(sock)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"100 (Continue)" not in answer
    body = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert body["code"] == 413
    assert server.request("GET", "/healthz").status == 200
    assert server.stop() == 0


def test_oversized_body_sent_at_once_gets_413_and_the_server_stays_up(
    start_server: StartServer,
) -> None:
    server = start_server("--store", "memory://")
    big = b'{"title": "' + b"x" * 300_000 + b'"}'
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = f"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: {len(big)}\r\n\r\n"
        # The server may close before reading it all; its answer is sent by then.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head.encode() + big)
        answer = read_response(sock)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert server.request("GET", "/tasks").body == b"{}"
    assert server.stop() == 0


def test_keep_alive_connection_serves_several_requests(start_server: StartServer) -> None:
    server = start_server("--store", "memory://")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for _ in range(3):
            sock.sendall(b"GET /tasks HTTP/1.1\r\nHost: a\r\n\r\n")
            assert read_response(sock).startswith(b"HTTP/1.1 200 OK\r\n")
    assert server.stop() == 0


def test_unknown_path_answers_404_and_keeps_the_connection(start_server: StartServer) -> None:
    server = start_server("--store", "memory://")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for request in (
            b"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n",
            b"POST /nope/deeper HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}",
            b"GET /tasks HTTP/1.1\r\nHost: a\r\n\r\n",
        ):
            sock.sendall(request)
            answer = read_response(sock)
            assert answer.startswith((b"HTTP/1.1 404 ", b"HTTP/1.1 200 ")), answer[:200]
            assert b"\r\nConnection: close" not in answer


def test_answers_sent_before_the_body_is_read_say_connection_close(
    start_server: StartServer,
) -> None:
    # Tornado closes a connection whose request body it never read; the client must be told.
    # (Bodies of unknown or excessive size stream, and are answered before they are read.)
    server = start_server("--store", "memory://")
    chunked = b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    for request, status in (
        (b"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n", b"413"),
        (b"BREW /nope HTTP/1.1\r\nHost: a\r\n" + chunked, b"404"),
        (b"BREW /tasks HTTP/1.1\r\nHost: a\r\n" + chunked, b"405"),
    ):
        status = b"%d" % method_status(server.transport, request.split()[0].decode(), int(status))
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(request)
            answer = read_response(sock)
            assert answer.startswith(b"HTTP/1.1 " + status + b" "), answer[:200]
            assert b"\r\nConnection: close\r\n" in answer
            assert sock.recv(1) == b""  # and the server did close it
    assert server.request("GET", "/healthz").status == 200


def test_early_answers_to_requests_read_whole_keep_the_connection(
    start_server: StartServer,
) -> None:
    # Such a request was read whole before its handler ran, as is one with a small body of known
    # length: no Connection: close, and the next request on the connection is answered.
    server = start_server("--store", "memory://")
    long_id = "x" * 200
    for request, status in (
        (b"BREW /nope HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}", b"404"),
        (b"BREW /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}", b"405"),
        (b"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\n{bad: 1", b"400"),
        (b"BREW /tasks HTTP/1.1\r\nHost: a\r\n\r\n", b"405"),
        (b"BREW /nope HTTP/1.1\r\nHost: a\r\n\r\n", b"404"),
        (f"GET /tasks HTTP/1.1\r\nHost: a\r\nX-Request-ID: {long_id}\r\n\r\n".encode(), b"400"),
        (b"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", b"400"),
    ):
        if not llhttp_knows(request.split()[0].decode()) and server.transport == "llhttp":
            continue  # refused by the parser, and closed: test_differential covers it
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(request)
            answer = read_response(sock)
            assert answer.startswith(b"HTTP/1.1 " + status + b" "), answer[:200]
            assert b"\r\nConnection: close\r\n" not in answer
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
            assert read_response(sock).startswith(b"HTTP/1.1 200 ")


def test_forwarded_headers_do_not_change_the_logged_client_address(
    start_server: StartServer,
) -> None:
    # No proxy is trusted: the address logged is the socket's peer, whatever a client claims.
    server = start_server("--store", "memory://")
    claims = {"X-Forwarded-For": "203.0.113.9", "X-Real-Ip": "203.0.113.9"}
    claims["X-Forwarded-Proto"] = "https"
    assert server.request("GET", "/healthz?forwarded", headers=claims).status == 200
    assert server.stop() == 0
    (line,) = [ln for ln in server.stdout.splitlines() if "uri=/healthz?forwarded" in ln]
    assert " ip=127.0.0.1 " in line
    assert "203.0.113.9" not in server.stdout
