"""Connection: one client connection, parsed by llhttp (httptools) and served one request at a time.

The parser turns what the socket gives into events (a request head, a piece of body, the end of
a request) in a queue. The queue is handed to the application in order: a request's head goes to
`Application.start_request`'s delegate only once the previous answer is finished, and while the
client reads its answers, so pipelined requests are answered one at a time, in order. When a
delegate returns an awaitable (a streaming handler's prepare(), its data_received), the queue
waits for it. While the queue is full (HIGH_WATER bytes, or MAX_HEADS requests waiting), the
parser stops, what is left of the chunk stays as raw bytes, and reading stops: a client that
pipelines without reading costs at most one read's bytes and a full queue.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Final, cast

import httptools
from tornado import httputil
from tornado.iostream import StreamClosedError
from tornado.log import app_log

from taskservice.ids import new_request_id
from taskservice.tornado.llhttp.exchange import Exchange, closed_future
from taskservice.tornado.llhttp.refusal import Refusal
from taskservice.utils.logutils import log_event

if TYPE_CHECKING:
    from taskservice.tornado.llhttp.server import LLHTTPServer

HIGH_WATER: Final = 64 * 1024  # queued request bytes (heads and bodies) that pause reading...
LOW_WATER: Final = 16 * 1024  # ...until the application has taken them down to this
MAX_HEADS: Final = 16  # pipelined requests parsed ahead of the one being answered
PARSE_SLICE: Final = 4 * 1024  # a large read is parsed this much at a time, so parsing can stop
_HEAD, _BODY, _END, _REFUSE = range(4)
_VERSIONS: Final = {"1.1": "HTTP/1.1", "1.0": "HTTP/1.0"}
_logger: Final = logging.getLogger("taskservice")
# Deadlines are on time.monotonic(), not loop.time(): uvloop's clock is libuv's, cached in
# milliseconds, so a deadline taken from it could pass up to a millisecond before its timeout
# had, and a body cut off at the timeout was then logged as a client hang-up (499, not 408).


class _Stop(Exception):
    """Raised in a parser callback to stop the parser (a refusal is queued)."""


class Context:
    """Where a request came from: HTTPServerRequest reads remote_ip and protocol from it."""

    __slots__ = ("address", "protocol", "remote_ip")

    def __init__(self, address: Any) -> None:
        self.address = address
        self.remote_ip: str = address[0] if isinstance(address, tuple) else "0.0.0.0"
        self.protocol = "http"  # no TLS in the process: a proxy in front terminates it

    def __str__(self) -> str:
        return self.remote_ip


def _can_keep_alive(start_line: httputil.RequestStartLine, headers: httputil.HTTPHeaders) -> bool:
    # HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only when it asks to, for a
    # request whose end it can tell. The same rules as Tornado's HTTP1Connection.
    connection = headers["Connection"].lower() if "Connection" in headers else None
    if start_line.version == "HTTP/1.1":
        return connection != "close"
    framed = "Content-Length" in headers or "Transfer-Encoding" in headers
    if framed or start_line.method in ("HEAD", "GET"):
        return connection == "keep-alive"
    return False


_NAMES: dict[bytes, str] = {}  # header names as sent -> Http-Header-Case, for the common ones
_MAX_NAMES: Final = 512  # clients choose the names: the cache must not grow without bound


def _name(raw: bytes) -> str:
    name = httputil._normalize_header(raw.decode("latin-1"))
    if len(_NAMES) < _MAX_NAMES:
        _NAMES[raw] = name
    return name


def _weight(event: tuple[Any, ...]) -> int:
    """The request bytes an event holds, as `Connection.queued` counts them."""
    kind = event[0]
    return len(event[1]) if kind == _BODY else event[3] if kind == _HEAD else 0


def _request_line(data: bytes) -> tuple[str | None, str | None]:
    """The method and target of the request line `data` starts with, for a refusal's log line."""
    words = data.lstrip(b"\r\n").split(b"\r\n", 1)[0].split(b" ")
    if len(words) != 3 or not words[0].isalpha():
        return None, None
    return words[0][:32].decode("latin-1"), words[1].decode("utf-8", "replace")


class Connection(asyncio.Protocol):
    """One client connection: parse, queue, hand over to the application, write answers."""

    def __init__(self, server: LLHTTPServer) -> None:
        self.server = server
        self.loop = server.loop
        self.transport: asyncio.Transport | None = None
        self.context = Context(None)
        self.parser = httptools.HttpRequestParser(self)
        self.events: deque[tuple[Any, ...]] = deque()
        self.queued = 0  # request bytes (heads and bodies) in `events`
        self.exchange: Exchange | None = None  # the request being answered
        self.deadline: float | None = None  # the sweep closes the connection past this time
        self.served = 0  # requests answered on this connection
        self.closed = False  # connection_lost has run
        self.closing = False  # close() or abort() has been called
        self._blocked = False  # waiting on an awaitable a delegate returned
        self._pumping = False
        self._parsing = True  # False once the parser has failed or the client upgraded
        self._reading_paused = False
        self._writing_paused = False
        self._drain: asyncio.Future[None] | None = None
        self.write_stall: float | None = None  # the sweep closes a reader stalled past this
        # The request head being parsed, and two lower bounds on its size: its completed fields,
        # and the whole chunks that arrived inside it (the fields in progress sit in the parser).
        self._in_head = False
        self._head_size = 0
        self._head_chunks = 0
        self._begun = 0  # heads begun so far
        self._ended = 0  # requests whose end was parsed
        self._url: list[bytes] = []
        self._fields: list[tuple[bytes, bytes]] = []
        self._began = 0.0  # wall-clock time the head began, for a refusal's time_ms
        self._heads = 0  # request heads in `events`
        self._unparsed = b""  # read, but held back while the queue is full

    # --- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.context = Context(transport.get_extra_info("peername"))
        self.deadline = time.monotonic() + self.server.header_timeout
        self.server.opened(self)

    def data_received(self, data: bytes) -> None:
        if not self._parsing:
            return
        if not self._unparsed and len(data) <= PARSE_SLICE and not self._full:
            self._parse(data)  # the common case: one request, or part of one
        else:
            self._unparsed += data
            self._parse_while_room()
        self._pump()

    def _parse_while_room(self) -> None:
        """Parse what was read, a slice at a time, until it is all parsed or the queue is full;
        reading stops while anything is left."""
        while self._unparsed and self._parsing and not self._full:
            data, self._unparsed = self._unparsed[:PARSE_SLICE], self._unparsed[PARSE_SLICE:]
            self._parse(data)
        paused = bool(self._unparsed) and self._parsing
        if paused != self._reading_paused and self.transport is not None and not self.closing:
            self._reading_paused = paused
            if paused:
                self.transport.pause_reading()
            else:
                self.transport.resume_reading()

    @property
    def _full(self) -> bool:
        return self.queued > HIGH_WATER or self._heads > MAX_HEADS

    def _parse(self, data: bytes) -> None:
        inside, begun, ended = self._in_head, self._begun, self._ended
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._parsing = False  # no handler here upgrades: answer what was asked, then close
        except httptools.HttpParserCallbackError as e:
            if not isinstance(e.__context__, _Stop):
                app_log.error("Uncaught exception in the HTTP parser", exc_info=e.__context__)
                self.abort()
                return
        except httptools.HttpParserError as e:
            # llhttp knows a fixed set of methods (RFC 9110's and WebDAV's, among others).
            unknown = isinstance(e, httptools.HttpParserInvalidMethodError)
            reason = "unknown HTTP method" if unknown else str(e) or "unparsable request"
            # A request line refused before llhttp named its parts: read them off the line.
            starts_here = not inside and ended == self._ended
            self._refuse(400, reason, *(_request_line(data) if starts_here else (None, None)))
        if self._in_head and inside and begun == self._begun:
            self._head_chunks += len(data)
            if self._head_chunks > self.server.max_header_bytes:
                self._refuse(431, self._too_large())

    def eof_received(self) -> bool:
        return False  # a half-close is a hang-up, as Tornado's server takes it: close

    def pause_writing(self) -> None:
        self._writing_paused = True
        self.write_stall = time.monotonic() + self.server.idle_timeout

    def resume_writing(self) -> None:
        self._writing_paused = False
        self.write_stall = None
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_result(None)
        self._pump()  # a pipelined request may have waited for the client to read

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = self.closing = True
        self._parsing = False
        self.events.clear()
        self.queued = self._heads = 0
        self._unparsed = b""
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_exception(StreamClosedError())  # as Tornado's write to a closed stream
            drain.exception()  # retrieved: a handler need not await its writes
        exchange, self.exchange = self.exchange, None
        self.server.closed(self)
        if exchange is None or exchange.write_finished or not exchange.head_delivered:
            return
        if not exchange.read_finished:
            assert exchange.delegate is not None
            self._guarded(exchange.delegate.on_connection_close)
        elif exchange.close_callback is not None:
            callback, exchange.close_callback = exchange.close_callback, None
            self._guarded(callback)

    # --- httptools callbacks ------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._in_head = True
        self._begun += 1
        # The request line's method, version and line ends, and the blank line: about 16 bytes.
        self._head_size, self._head_chunks = 16, 0
        self._url = []
        self._fields = []
        self._began = time.time()

    def on_url(self, url: bytes) -> None:
        self._url.append(url)
        self._head_size += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields.append((name, value))
        self._head_size += len(name) + len(value) + 4
        if self._head_size > self.server.max_header_bytes:
            self._refuse(431, self._too_large())
            raise _Stop

    def on_headers_complete(self) -> None:
        self._in_head = False
        parser = self.parser
        version = _VERSIONS.get(parser.get_http_version())
        method = parser.get_method().decode("latin-1")
        uri = b"".join(self._url).decode("latin-1")
        if version is None:
            self._refuse(400, f"unsupported HTTP version {parser.get_http_version()}")
            raise _Stop
        headers = httputil.HTTPHeaders()
        as_list = headers._as_list
        for raw_name, raw_value in self._fields:
            # llhttp has checked the name's and the value's characters, as Tornado's parser does.
            name = _NAMES.get(raw_name) or _name(raw_name)
            value = raw_value.decode("latin-1").strip(" \t")
            if name in as_list:
                as_list[name].append(value)
            else:
                as_list[name] = [value]
        start_line = httputil.RequestStartLine(method, uri, version)
        self.events.append((_HEAD, start_line, headers, self._head_size))
        self.queued += self._head_size
        self._heads += 1

    def on_body(self, body: bytes) -> None:
        self.events.append((_BODY, body))
        self.queued += len(body)

    def on_message_complete(self) -> None:
        self._ended += 1
        self.events.append((_END,))

    # --- handing requests to the application ----------------------------------------------

    def _pump(self) -> None:
        """Deliver queued events until one must wait (an answer, or a delegate's awaitable);
        parse what was held back whenever the queue has room again."""
        if self._pumping:
            return
        self._pumping = True
        try:
            while True:
                self._deliver()
                room = self.queued <= LOW_WATER and self._heads <= MAX_HEADS // 2
                if not (self._unparsed and room) or self._blocked or self.closing:
                    break
                queued = len(self.events)
                self._parse_while_room()
                if len(self.events) == queued:
                    break  # nothing new to deliver (a head still in pieces)
        finally:
            self._pumping = False

    def _deliver(self) -> None:
        events = self.events
        while events and not self._blocked and not self.closing:
            event = events[0]
            kind = event[0]
            exchange = self.exchange
            if kind == _BODY:
                events.popleft()
                self.queued -= len(event[1])
                assert exchange is not None
                assert exchange.delegate is not None
                if not exchange.write_finished:
                    self._wait_for(exchange.delegate.data_received(event[1]), exchange)
            elif kind == _END:
                events.popleft()
                assert exchange is not None
                assert exchange.delegate is not None
                exchange.read_finished = True
                self.deadline = None  # busy: the handler runs, no clock
                if not exchange.write_finished:
                    self._guarded(exchange.delegate.finish, exchange)
            elif kind == _HEAD:
                if exchange is not None or self._writing_paused:
                    # The next request waits for this answer, and for a client that reads its
                    # answers: pipelining cannot pile answers up in memory.
                    return
                events.popleft()
                self.queued -= event[3]
                self._heads -= 1
                self._start(event[1], event[2])
            elif exchange is None or not exchange.read_finished:  # _REFUSE
                events.popleft()
                self._send_refusal(event[1], exchange)
            else:
                return  # a later request is refused once this one is answered

    def _start(self, start_line: httputil.RequestStartLine, headers: httputil.HTTPHeaders) -> None:
        server = self.server
        if server.draining:
            self.abort()  # a request read after the drain began is dropped, never acted on
            return
        exchange = self.exchange = Exchange(self, start_line, headers, True)
        exchange.keep_alive = _can_keep_alive(start_line, headers)
        server.busy(self)
        self.deadline = None  # the body's clock starts once the handler has seen the head
        delegate = exchange.delegate = server.app.start_request(server, exchange)
        try:
            waited = delegate.headers_received(start_line, headers)
        except httputil.HTTPInputError as e:
            # The head is not a request Tornado can build (a missing or bad Host, say).
            self.exchange = None
            self.server.idle(self)
            uri = start_line.path.encode("latin-1").decode("utf-8", "replace")
            self._send_refusal(Refusal(400, str(e), start_line.method, uri, time.time()), None)
            return
        except Exception:
            app_log.error("Uncaught exception in headers_received", exc_info=True)
            self.abort()
            return
        exchange.head_delivered = True
        self._wait_for(waited, exchange, head=True)

    def _wait_for(self, waited: Any, exchange: Exchange, head: bool = False) -> None:
        """Hold the queue until `waited` (a delegate's return value) is done."""
        if waited is None or (isinstance(waited, asyncio.Future) and waited.done()):
            if head:
                self._continue(exchange)
            return
        self._blocked = True
        future = asyncio.ensure_future(waited)

        def resume(done: asyncio.Future[Any]) -> None:
            self._blocked = False
            if not done.cancelled() and done.exception() is not None:
                app_log.error("Uncaught exception", exc_info=done.exception())
                self.abort()
                return
            if head:
                self._continue(exchange)
            self._pump()

        future.add_done_callback(resume)

    def _continue(self, exchange: Exchange) -> None:
        if not exchange.read_finished:
            self.deadline = time.monotonic() + self.server.body_timeout
        # Ask for the body only once the handler has seen the head and not answered yet.
        # get_list: HTTPHeaders.get raises and catches KeyError when the header is missing.
        expect = exchange.request_headers.get_list("Expect")
        if expect == ["100-continue"] and not exchange.write_finished and not self.closed:
            self.send(b"HTTP/1.1 100 (Continue)\r\n\r\n")

    def _guarded(self, call: Any, exchange: Exchange | None = None) -> None:
        try:
            call()
        except Exception:
            app_log.error("Uncaught exception", exc_info=True)
            if exchange is not None:
                self.abort()

    # --- writing and closing ------------------------------------------------------------------

    def send(self, data: bytes) -> asyncio.Future[None]:
        """Write `data`; the future resolves once the transport is below its high-water mark."""
        if self.closed or self.transport is None or self.transport.is_closing():
            return closed_future(self.loop)
        self.transport.write(data)
        if not self._writing_paused:
            return self.server.done
        if self._drain is None:
            self._drain = self.loop.create_future()
        return self._drain

    def response_done(self, exchange: Exchange) -> None:
        """The answer is written: close, or wait for the next request (maybe already queued)."""
        if exchange is not self.exchange:
            return
        self.exchange = None
        self.served += 1
        self.server.idle(self)
        if self.closed:
            return
        if not exchange.keep_alive or self.server.draining or not (self._parsing or self.events):
            self.close()
            return
        self.deadline = time.monotonic() + self.server.idle_timeout
        self._pump()

    def close(self) -> None:
        """Close after what is written has gone out; read nothing more."""
        self._parsing = False
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Close now, dropping what is unwritten."""
        self._parsing = False
        self.closing = True
        if self.transport is not None:
            self.transport.abort()

    def expire(self) -> None:
        """The connection's clock ran out (sweep): close it."""
        if self.served == 0 and self.exchange is None:
            timeout_s = self.server.header_timeout
            ip = self.context.remote_ip
            log_event(_logger, logging.DEBUG, "HEADER_TIMEOUT", {}, ip=ip, timeout_s=timeout_s)
        self.abort()

    @property
    def idle(self) -> bool:
        """No request in progress or waiting: only (part of) a head may be on its way."""
        return self.exchange is None and not self.events

    def _stop_parsing(self) -> None:
        # Requests already whole are still answered; the one cut off mid-parse is dropped.
        self._parsing = False
        self._unparsed = b""
        events = list(self.events)
        heads = [n for n, event in enumerate(events) if event[0] == _HEAD]
        if heads and not any(event[0] == _END for event in events[heads[-1] :]):
            self.events = deque(events[: heads[-1]])
            self.queued = sum(_weight(event) for event in self.events)
            self._heads = sum(event[0] == _HEAD for event in self.events)

    def _too_large(self) -> str:
        return f"request head larger than {self.server.max_header_bytes} bytes"

    def _refuse(
        self, status: int, reason: str, method: str | None = None, uri: str | None = None
    ) -> None:
        """Queue a refusal of the request being parsed; nothing after it is read."""
        if not self._parsing:
            return
        if self._url:
            method = self.parser.get_method().decode("latin-1")
            uri = b"".join(self._url).decode("utf-8", "replace")
        self._stop_parsing()
        self._in_head = False
        began = self._began or time.time()
        self.events.append((_REFUSE, Refusal(status, reason, method, uri, began)))

    def _send_refusal(self, refusal: Refusal, exchange: Exchange | None) -> None:
        """Answer a refusal and close. Mid-body, the handler already has the request, so it
        logs the request itself when it hears of the close (as on Tornado's server)."""
        if self.transport is None or self.closed:
            return
        ip = self.context.remote_ip
        answer = refusal.answer(ip) if exchange is None else refusal.response(new_request_id())
        self.transport.write(answer)
        self.close()
