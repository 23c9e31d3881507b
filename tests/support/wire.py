"""Raw HTTP/1.1 on a socket: send bytes, read every answer back, see whether the server closed."""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass

PROBE_ID = b"probe-of-the-connection"
PROBE = b"GET /healthz HTTP/1.1\r\nHost: probe\r\nX-Request-ID: " + PROBE_ID + b"\r\n\r\n"
"""Sent after a case: an answer to it means the connection was still open."""


@dataclass(frozen=True)
class Outcome:
    """What a server did with some bytes: the status of each answer, and whether it closed."""

    statuses: tuple[int, ...]
    closed: bool


class _Reader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""
        self.eof = False

    def fill(self) -> bool:
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return False
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def until(self, marker: bytes) -> bytes | None:
        while marker not in self.buf:
            if not self.fill():
                return None
        head, _, self.buf = self.buf.partition(marker)
        return head

    def take(self, size: int) -> bytes | None:
        while len(self.buf) < size:
            if not self.fill():
                return None
        data, self.buf = self.buf[:size], self.buf[size:]
        return data

    def response(self) -> tuple[int, bytes] | None:
        """Read one whole response: its status and X-Request-ID; None at end of file or timeout."""
        head = self.until(b"\r\n\r\n")
        if head is None:
            return None
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ")[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip()
        request_id = fields.get(b"x-request-id", b"")
        if status < 200 or status in (204, 304):
            return status, request_id
        if fields.get(b"transfer-encoding") == b"chunked":
            while (size_line := self.until(b"\r\n")) not in (None, b"0"):
                assert size_line is not None
                self.take(int(size_line, 16) + 2)
            self.until(b"\r\n")
        else:
            self.take(int(fields.get(b"content-length", b"0")))
        return status, request_id


def exchange(port: int, data: bytes, timeout: float = 3.0) -> Outcome:
    """Send `data`, then PROBE, on one connection: the status of every answer to `data`, and
    whether the connection closed before the probe was answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # Closed before it read everything: the answers already sent still count.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data + PROBE)
        reader = _Reader(sock)
        statuses: list[int] = []
        while (answer := reader.response()) is not None:
            status, request_id = answer
            if request_id == PROBE_ID:
                return Outcome(tuple(statuses), closed=False)
            statuses.append(status)
    return Outcome(tuple(statuses), closed=True)
