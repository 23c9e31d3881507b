"""What differs between the two transports, in one place, and which one serves a port."""

from __future__ import annotations

import socket
from functools import cache

import httptools


@cache
def llhttp_knows(method: str) -> bool:
    """Whether llhttp parses `method` (it knows a fixed set; Tornado's server passes any token)."""
    parser = httptools.HttpRequestParser(object())
    try:
        parser.feed_data(method.encode("latin-1") + b" / HTTP/1.1\r\n")
    except httptools.HttpParserInvalidMethodError:
        return False
    return True


def method_status(transport: str, method: str, status: int) -> int:
    """The status a request with `method` gets: 400 from llhttp for a method it does not know,
    where Tornado's server hands the request to the app (which answers `status`)."""
    if transport == "llhttp" and not llhttp_knows(method):
        return 400
    return status


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
    if (
        head.startswith(b"HTTP/1.1 400 ")
        and body.startswith(b'{"method": ')
        and b'"code": 400' in body
    ):
        return "llhttp"
    raise AssertionError(f"neither transport's refusal: {answer[:200]!r}")
