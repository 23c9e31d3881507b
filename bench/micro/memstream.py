"""An in-memory HTTP/1.1 connection to a Tornado server: HTTP bytes in, bytes out, no socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
from types import SimpleNamespace
from typing import cast

import tornado.httpserver
import tornado.iostream

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


class MemoryStream(tornado.iostream.BaseIOStream):
    """A stream whose peer is this process: requests are fed in, responses collected.

    Tornado waits for input by watching a file descriptor, so each stream owns a pipe whose only
    job is to wake the event loop when a request is fed, as a socket would on arrival.
    """

    def __init__(self) -> None:
        super().__init__()
        # HTTPServer reads the address family off the socket to decide how to show the peer.
        self.socket = SimpleNamespace(family=socket.AF_INET)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._incoming = bytearray()
        self._eof = False
        self._output = bytearray()
        self._response: asyncio.Future[bytes] | None = None
        self.closed_future = asyncio.get_running_loop().create_future()

    def feed(self, request: bytes) -> asyncio.Future[bytes]:
        """Send raw request bytes; the future resolves to the whole raw response."""
        self._incoming += request
        self._output.clear()
        self._response = asyncio.get_running_loop().create_future()
        os.write(self._wake_w, b"\0")
        return self._response

    def hang_up(self) -> None:
        """Close the client's side: the server reads EOF and closes the connection."""
        self._eof = True
        os.write(self._wake_w, b"\0")

    def fileno(self) -> int:
        return self._wake_r

    def close_fd(self) -> None:
        os.close(self._wake_r)
        os.close(self._wake_w)
        if not self.closed_future.done():
            self.closed_future.set_result(None)

    def read_from_fd(self, buf: bytearray | memoryview) -> int | None:
        if not self._incoming:
            with contextlib.suppress(BlockingIOError):
                os.read(self._wake_r, 4096)  # the wake-up byte has done its job
            return 0 if self._eof else None  # None: nothing yet, as EWOULDBLOCK on a socket
        size = min(len(buf), len(self._incoming))
        buf[:size] = self._incoming[:size]
        del self._incoming[:size]
        return size

    def write_to_fd(self, data: memoryview) -> int:
        self._output += data
        if self._response is not None and not self._response.done() and self._complete():
            self._response.set_result(bytes(self._output))
        return len(data)

    def _complete(self) -> bool:
        return response_complete(self._output)


def response_complete(output: bytearray) -> bool:
    """Whether `output` holds a whole response (head, and the body its Content-Length says)."""
    head_end = output.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    # Every response of this service has a Content-Length, or no body at all (204, 304).
    length = _CONTENT_LENGTH.search(output, 0, head_end + 2)
    body = int(length.group(1)) if length else 0
    return len(output) >= head_end + 4 + body


class InProcessClient:
    """One kept-alive HTTP/1.1 connection to a server, as a load generator would hold."""

    def __init__(self, stream: MemoryStream) -> None:
        self.stream = stream

    @classmethod
    async def connect(cls, server: tornado.httpserver.HTTPServer) -> InProcessClient:
        """Open a connection; the server starts reading it as it would an accepted socket."""
        stream = MemoryStream()
        # HTTPServer uses only what every IOStream has, which MemoryStream provides.
        server.handle_stream(cast(tornado.iostream.IOStream, stream), ("127.0.0.1", 54321))
        return cls(stream)

    async def send(self, request: bytes) -> bytes:
        """One exchange on this connection: the raw response."""
        return await self.stream.feed(request)

    async def close(self) -> None:
        """Hang up and wait until the server has closed its side."""
        self.stream.hang_up()
        await self.stream.closed_future
