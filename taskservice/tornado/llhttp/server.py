"""LLHTTPServer: serves a tornado.web.Application over llhttp connections, with one clock sweep."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Final

from tornado import httputil
from tornado.ioloop import IOLoop

from taskservice.tornado.llhttp.protocol import Connection

_BACKLOG: Final = 128  # as Tornado's own listen backlog
_MAX_TICK_S: Final = 1.0


class LLHTTPServer:
    """The same contract as GuardedHTTPServer (drain, idle and busy connections), on llhttp.

    Timeouts are deadlines on each connection that one periodic sweep enforces: a new
    connection's first head within header_timeout, a keep-alive connection's idle time and
    next head within idle_timeout, a request body within body_timeout once its head is in, and a
    client that stops reading our answer within idle_timeout.
    """

    def __init__(
        self,
        app: httputil.HTTPServerConnectionDelegate,
        *,
        max_header_bytes: int,
        header_timeout: float,
        idle_timeout: float,
        body_timeout: float,
    ) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self.body_timeout = body_timeout
        self.draining = False  # idle connections are closed as soon as they are idle
        self.loop: asyncio.AbstractEventLoop = IOLoop.current().asyncio_loop  # type: ignore[attr-defined]
        done: asyncio.Future[None] = self.loop.create_future()
        done.set_result(None)
        self.done = done  # the future every write that need not wait returns
        self._connections: set[Connection] = set()
        self._busy: set[Connection] = set()
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._gone = asyncio.Event()
        self._gone.set()
        self._listeners: list[asyncio.Task[asyncio.AbstractServer]] = []
        self._tick = min(_MAX_TICK_S, header_timeout / 4, idle_timeout / 4, body_timeout / 4)
        self._sweeper: asyncio.TimerHandle | None = None

    @property
    def busy_count(self) -> int:
        """How many connections have a request in progress (head read, answer not yet written)."""
        return len(self._busy)

    def add_sockets(self, sockets: list[socket.socket]) -> None:
        """Serve on these bound, listening sockets (from tornado.netutil.bind_sockets)."""
        for sock in sockets:
            listen = self.loop.create_server(lambda: Connection(self), sock=sock, backlog=_BACKLOG)
            self._listeners.append(self.loop.create_task(listen))
        if self._sweeper is None:
            self._sweeper = self.loop.call_later(self._tick, self._sweep)

    def stop(self) -> None:
        """Stop accepting connections; those open go on."""
        for listener in self._listeners:
            if listener.done() and not listener.cancelled() and listener.exception() is None:
                listener.result().close()
            else:
                listener.add_done_callback(lambda t: t.cancelled() or t.result().close())

    def close_idle(self) -> int:
        """Start draining: close every idle connection now, and each busy one once it is idle."""
        self.draining = True
        idle = [conn for conn in self._connections if conn.idle]
        for conn in idle:
            conn.abort()
        return len(idle)

    async def wait_quiet(self) -> None:
        """Wait until no connection has a request in progress (bound it with asyncio.timeout)."""
        await self._quiet.wait()

    async def close_all_connections(self) -> None:
        """Close every connection now, and wait until each has closed."""
        for conn in list(self._connections):
            conn.abort()
        await self._gone.wait()
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None

    # --- what connections tell the server -------------------------------------------------

    def opened(self, conn: Connection) -> None:
        """A connection was accepted."""
        self._connections.add(conn)
        self._gone.clear()
        if self.draining:
            conn.abort()

    def closed(self, conn: Connection) -> None:
        """A connection is gone."""
        self._connections.discard(conn)
        self.idle(conn)
        if not self._connections:
            self._gone.set()

    def busy(self, conn: Connection) -> None:
        """A request head has been handed to the application."""
        self._busy.add(conn)
        self._quiet.clear()

    def idle(self, conn: Connection) -> None:
        """The connection's answer is written (or it closed)."""
        self._busy.discard(conn)
        if not self._busy:
            self._quiet.set()

    def expire_overdue(self) -> int:
        """Close every connection past its deadline (a late head or body, too long idle, or a
        client that stopped reading); the number closed."""
        now = time.monotonic()
        overdue = [
            conn
            for conn in self._connections
            if (conn.deadline is not None and now >= conn.deadline)
            or (conn.write_stall is not None and now >= conn.write_stall)
        ]
        for conn in overdue:
            conn.expire()
        return len(overdue)

    def _sweep(self) -> None:
        self.expire_overdue()
        self._sweeper = self.loop.call_later(self._tick, self._sweep)
