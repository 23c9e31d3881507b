"""Which HTTP transport serves a port, told apart by how each answers an unreadable request."""

from __future__ import annotations

import socket

TORNADO_REFUSAL = b"HTTP/1.1 400 Bad Request\r\n\r\n"
"""Tornado's own server: a bare status line, then it closes."""


def refusal(port: int) -> bytes:
    """Everything a server on 127.0.0.1:`port` sends back for a request line that is not HTTP."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"NOT A REQUEST\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def served_by(port: int) -> str:
    """`tornado` or `llhttp`: llhttp refuses with the service's JSON error, Tornado with nothing."""
    answer = refusal(port)
    if answer == TORNADO_REFUSAL:
        return "tornado"
    head, _, body = answer.partition(b"\r\n\r\n")
    if head.startswith(b"HTTP/1.1 400 ") and body.startswith(b'{"method": null'):
        return "llhttp"
    raise AssertionError(f"neither transport's refusal: {answer[:200]!r}")
