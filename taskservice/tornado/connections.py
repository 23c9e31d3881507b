"""GuardedHTTPServer: Tornado's HTTPServer that knows which connections are idle and which busy."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, cast

import tornado.httpserver
from tornado import httputil
from tornado.http1connection import HTTP1ServerConnection

from taskservice.utils.logutils import log_event

_logger = logging.getLogger("taskservice")


class GuardedHTTPServer(tornado.httpserver.HTTPServer):
    """Cuts off new connections whose first request head is late, and idle ones once draining.

    A connection is idle from the moment it waits for a request head until the whole head has
    arrived, and busy from then until its answer is written. Tornado bounds the wait for a head
    only with idle_connection_timeout, one clock for a keep-alive connection's idle time and its
    next head; header_timeout gives a new connection a shorter deadline for its first head, so
    connections that never finish their headers do not pile up for the whole idle timeout.
    """

    def initialize(self, *args: Any, header_timeout: float = 3600.0, **kwargs: Any) -> None:
        super().initialize(*args, **kwargs)
        self.header_timeout = header_timeout
        self.draining = False  # idle connections are closed as soon as they are idle
        self._seen: set[HTTP1ServerConnection] = set()
        self._awaiting_head: dict[HTTP1ServerConnection, asyncio.TimerHandle | None] = {}
        self._busy: set[HTTP1ServerConnection] = set()
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def busy_count(self) -> int:
        """How many connections have a request in progress (head read, answer not yet written)."""
        return len(self._busy)

    def start_request(
        self, server_conn: object, request_conn: httputil.HTTPConnection
    ) -> httputil.HTTPMessageDelegate:
        conn = cast(HTTP1ServerConnection, server_conn)
        delegate = super().start_request(server_conn, request_conn)
        first = conn not in self._seen
        self._seen.add(conn)
        self._set_busy(conn, False)  # a new request cycle: the previous answer is written
        if self.draining:
            # A head already buffered is still read from a closed stream: drop it unanswered.
            conn.stream.close()
            return _HeadWatch(delegate, None, conn)
        late = None
        if first:
            late = asyncio.get_running_loop().call_later(self.header_timeout, self._head_late, conn)
        self._awaiting_head[conn] = late
        return _HeadWatch(delegate, self, conn)

    def on_close(self, server_conn: object) -> None:
        super().on_close(server_conn)
        conn = cast(HTTP1ServerConnection, server_conn)
        self._seen.discard(conn)
        self._cancel_deadline(conn)
        self._set_busy(conn, False)

    def close_idle(self) -> int:
        """Start draining: close every idle connection now, and each busy one once it is idle."""
        self.draining = True
        idle = list(self._awaiting_head)
        for conn in idle:
            conn.stream.close()
        return len(idle)

    async def wait_quiet(self) -> None:
        """Wait until no connection has a request in progress (bound it with asyncio.timeout)."""
        await self._quiet.wait()

    def head_arrived(self, conn: HTTP1ServerConnection) -> bool:
        """A request head is in: the connection is busy; False if it was closed meanwhile."""
        self._cancel_deadline(conn)
        if conn.stream.closed():
            return False  # closed as idle (or late) while the head was being parsed: drop it
        self._set_busy(conn, True)
        return True

    def _head_late(self, conn: HTTP1ServerConnection) -> None:
        if self._awaiting_head.pop(conn, None) is not None:
            ip = getattr(conn.context, "remote_ip", None)
            timeout_s = self.header_timeout
            log_event(_logger, logging.DEBUG, "HEADER_TIMEOUT", {}, ip=ip, timeout_s=timeout_s)
            conn.stream.close()

    def _cancel_deadline(self, conn: HTTP1ServerConnection) -> None:
        late = self._awaiting_head.pop(conn, None)
        if late is not None:
            late.cancel()

    def _set_busy(self, conn: HTTP1ServerConnection, busy: bool) -> None:
        if busy:
            self._busy.add(conn)
            self._quiet.clear()
        else:
            self._busy.discard(conn)
            if not self._busy:
                self._quiet.set()


class _HeadWatch(httputil.HTTPMessageDelegate):
    """Passes one request through, telling the server when its head has arrived; drops it if told.

    A request whose connection was closed as idle never reaches a handler, so a client that sees
    the connection close without an answer knows the request was not acted on. With no server
    (the drain has begun) every request is dropped.
    """

    def __init__(
        self,
        inner: httputil.HTTPMessageDelegate,
        server: GuardedHTTPServer | None,
        conn: HTTP1ServerConnection,
    ) -> None:
        self._inner = inner
        self._server = server
        self._conn = conn
        self._passed = False

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        self._passed = self._server is not None and self._server.head_arrived(self._conn)
        return self._inner.headers_received(start_line, headers) if self._passed else None

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self._inner.data_received(chunk) if self._passed else None

    def finish(self) -> None:
        if self._passed:
            self._inner.finish()

    def on_connection_close(self) -> None:
        if self._passed:
            self._inner.on_connection_close()
