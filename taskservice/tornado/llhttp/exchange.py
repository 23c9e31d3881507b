"""Exchange: one request's response side, Tornado's HTTPConnection over an asyncio transport."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from tornado import httputil
from tornado.iostream import StreamClosedError

if TYPE_CHECKING:
    from taskservice.tornado.llhttp.protocol import Connection

_CR_OR_LF: Final = re.compile(r"[\r\n]")
_NO_BODY_CODES: Final = frozenset({204, 304})


class Exchange(httputil.HTTPConnection):
    """The answer to one request; RequestHandler writes through it as through HTTP1Connection.

    Framing follows Tornado's server: Content-Length when the handler gives one, chunked for an
    HTTP/1.1 answer flushed without one, and no body bytes at all for HEAD and 304. A response
    that says `Connection: close`, or ends before its request body was read, closes the
    connection once it is written.
    """

    def __init__(
        self,
        conn: Connection,
        start_line: httputil.RequestStartLine,
        headers: httputil.HTTPHeaders,
        keep_alive: bool,
    ) -> None:
        self.conn = conn
        self.context = conn.context  # HTTPServerRequest takes remote_ip and protocol from here
        self.start_line = start_line
        self.request_headers = headers
        self.keep_alive = keep_alive
        self.delegate: httputil.HTTPMessageDelegate | None = None
        self.head_delivered = False  # the delegate has the head (it must hear of a hang-up)
        self.read_finished = False  # the delegate's finish() has been called
        self.write_finished = False
        self.close_callback: Callable[[], None] | None = None
        self._chunking = False
        self._remaining: int | None = None  # body bytes the response still owes, if it said

    def set_close_callback(self, callback: Callable[[], None] | None) -> None:
        """Call `callback` if the client hangs up before the response is finished."""
        self.close_callback = callback

    def write_headers(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
        chunk: bytes | None = None,
    ) -> asyncio.Future[None]:
        """Send the status line and headers, and the first chunk of the body with them."""
        assert isinstance(start_line, httputil.ResponseStartLine)
        code = start_line.code
        request = self.start_line
        has_length = "Content-Length" in headers
        self._chunking = (
            request.version == "HTTP/1.1"
            and request.method != "HEAD"
            and code not in _NO_BODY_CODES
            and not 100 <= code < 200
            and not has_length
        )
        if "Connection" in headers and headers["Connection"].lower() == "close":
            self.keep_alive = False  # the handler asked for it (a drain, an unread body)
        if request.version == "HTTP/1.1":
            if not self.keep_alive:
                headers["Connection"] = "close"
        elif self.keep_alive:
            if has_length:
                headers["Connection"] = "Keep-Alive"  # an HTTP/1.0 client asked for it
            else:
                self.keep_alive = False  # no length and no chunks in 1.0: the close ends it
        if self._chunking:
            headers["Transfer-Encoding"] = "chunked"
        if request.method == "HEAD" or code == 304:
            self._remaining = 0
        elif has_length:
            self._remaining = int(headers["Content-Length"])
        lines = [f"HTTP/1.1 {code} {start_line.reason}"]
        lines += [f"{n}: {v}" for n, v in headers.get_all()]
        text = "\r\n".join(lines)
        # Each CR and LF must be a separator's: three counts in C, not a regex per line.
        breaks = len(lines) - 1
        if not text.count("\r") == text.count("\n") == text.count("\r\n") == breaks:
            bad = next(line for line in lines if _CR_OR_LF.search(line))
            raise ValueError(f"Illegal characters (CR or LF) in header: {bad!r}")
        data = (text + "\r\n\r\n").encode("latin-1")
        if chunk:
            data += self._frame(chunk)
        return self.conn.send(data)

    def write(self, chunk: bytes) -> asyncio.Future[None]:
        """Send a piece of the body; the future resolves once the client keeps up."""
        return self.conn.send(self._frame(chunk))

    def finish(self) -> None:
        """The response is complete: end the chunks, then serve the next request or close."""
        if self._remaining and not self.conn.closed:
            self.conn.abort()
            raise httputil.HTTPOutputError(
                f"Tried to write {self._remaining} bytes less than Content-Length"
            )
        if self._chunking:
            self.conn.send(b"0\r\n\r\n")
        self.write_finished = True
        if not self.read_finished:
            # The answer came before the whole body: closing is the only way not to read it.
            self.keep_alive = False
        self.conn.response_done(self)

    def _frame(self, chunk: bytes) -> bytes:
        if self._remaining is not None:
            self._remaining -= len(chunk)
            if self._remaining < 0:
                self.conn.abort()  # stop before the framing goes wrong on the wire
                raise httputil.HTTPOutputError("Tried to write more data than Content-Length")
        if self._chunking and chunk:
            return b"%x\r\n%b\r\n" % (len(chunk), chunk)
        return chunk


def closed_future(loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
    """A write future for a connection already closed, as Tornado's HTTP1Connection gives one."""
    future: asyncio.Future[None] = loop.create_future()
    future.set_exception(StreamClosedError())
    future.exception()  # retrieved: nobody has to await a write to a closed connection
    return future
