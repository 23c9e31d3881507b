"""The llhttp transport's connection, driven byte by byte through a fake socket transport."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import uvloop
from tornado import httputil
from tornado.iostream import StreamClosedError

from taskservice.tornado.llhttp import LLHTTPServer
from taskservice.tornado.llhttp.protocol import HIGH_WATER, MAX_HEADS, PARSE_SLICE, Connection

GET = b"GET /a HTTP/1.1\r\nHost: a\r\n\r\n"


class FakeTransport(asyncio.Transport):
    """Collects what the connection writes; says when it was closed or paused."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False
        self.aborted = False
        self.reading = True
        self.protocol: Connection | None = None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.9", 4242) if name == "peername" else default

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            assert self.protocol is not None
            asyncio.get_event_loop().call_soon(self.protocol.connection_lost, None)

    def abort(self) -> None:
        self.aborted = True
        self.close()

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True


class Delegate(httputil.HTTPMessageDelegate):
    """Records each call; the test answers through `conn` when it chooses."""

    def __init__(self, app: App, conn: httputil.HTTPConnection) -> None:
        self.app = app
        self.conn = conn
        self.calls: list[str] = []
        self.body = b""
        self.head_wait: asyncio.Future[None] | None = None

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        assert isinstance(start_line, httputil.RequestStartLine)
        self.calls.append(f"head {start_line.method} {start_line.path}")
        if self.app.hold_heads:
            self.head_wait = asyncio.get_event_loop().create_future()
            return self.head_wait
        return None

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        self.body += chunk
        return None

    def finish(self) -> None:
        self.calls.append("finish")

    def on_connection_close(self) -> None:
        self.calls.append("closed")

    def answer(self, status: int = 200, body: bytes = b"ok") -> None:
        start = httputil.ResponseStartLine("HTTP/1.1", status, "OK")
        headers = httputil.HTTPHeaders({"Content-Length": str(len(body))})
        self.conn.write_headers(start, headers, body)
        self.conn.finish()


class App(httputil.HTTPServerConnectionDelegate):
    """Hands out Delegates and keeps them, in order."""

    def __init__(self) -> None:
        self.requests: list[Delegate] = []
        self.hold_heads = False

    def start_request(
        self, server_conn: object, request_conn: httputil.HTTPConnection
    ) -> httputil.HTTPMessageDelegate:
        delegate = Delegate(self, request_conn)
        self.requests.append(delegate)
        return delegate


class Wire:
    """One connection to an LLHTTPServer over a FakeTransport."""

    def __init__(self, **limits: float) -> None:
        self.app = App()
        settings: dict[str, Any] = {
            "max_header_bytes": 1024,
            "header_timeout": 10.0,
            "idle_timeout": 60.0,
            "body_timeout": 30.0,
            **limits,
        }
        self.server = LLHTTPServer(self.app, **settings)
        self.transport = FakeTransport()
        self.conn = self.transport.protocol = Connection(self.server)
        self.conn.connection_made(self.transport)

    def send(self, data: bytes) -> None:
        self.conn.data_received(data)


MakeWire = Callable[..., Wire]


@pytest.fixture
def make_wire() -> Iterator[MakeWire]:
    """Wires with these limits, on an event loop of the test's own (run between steps)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def make(limits: dict[str, float]) -> Wire:
        return Wire(**limits)

    try:
        yield lambda **limits: loop.run_until_complete(make(limits))
    finally:
        loop.run_until_complete(asyncio.sleep(0))
        asyncio.set_event_loop(None)
        loop.close()


@pytest.fixture
def wire(make_wire: MakeWire) -> Wire:
    return make_wire()


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.get_event_loop().run_until_complete(coro)


def settle() -> None:
    run(asyncio.sleep(0.01))


def test_pipelined_requests_reach_the_app_one_at_a_time_in_order(wire: Wire) -> None:
    wire.send(GET.replace(b"/a", b"/1") + GET.replace(b"/a", b"/2"))
    assert [d.calls for d in wire.app.requests] == [["head GET /1", "finish"]]
    wire.app.requests[0].answer(body=b"one")
    assert [d.calls for d in wire.app.requests][1] == ["head GET /2", "finish"]
    wire.app.requests[1].answer(body=b"two")
    written = bytes(wire.transport.written)
    assert written.index(b"one") < written.index(b"two")
    assert not wire.transport.closed


def test_the_body_waits_while_the_app_holds_the_head(wire: Wire) -> None:
    wire.app.hold_heads = True
    wire.send(b"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc")
    (request,) = wire.app.requests
    assert request.calls == ["head POST /a"]
    assert request.body == b""
    assert request.head_wait is not None
    request.head_wait.set_result(None)
    settle()
    assert (request.calls, request.body) == (["head POST /a", "finish"], b"abc")


def test_100_continue_is_sent_only_after_the_app_has_seen_the_head(wire: Wire) -> None:
    wire.app.hold_heads = True
    wire.send(b"POST /a HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
    assert b"100" not in wire.transport.written
    (request,) = wire.app.requests
    assert request.head_wait is not None
    request.head_wait.set_result(None)
    settle()
    assert bytes(wire.transport.written) == b"HTTP/1.1 100 (Continue)\r\n\r\n"


def test_reading_stops_while_queued_bodies_exceed_the_bound_and_resumes(wire: Wire) -> None:
    wire.app.hold_heads = True
    size = 3 * HIGH_WATER
    wire.send(b"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % size + b"x" * size)
    assert not wire.transport.reading
    (request,) = wire.app.requests
    assert request.head_wait is not None
    request.head_wait.set_result(None)
    settle()
    assert wire.transport.reading
    assert len(request.body) == size


def test_a_write_waits_while_the_client_does_not_read_and_fails_if_it_hangs_up(wire: Wire) -> None:
    wire.send(GET)
    (request,) = wire.app.requests
    start = httputil.ResponseStartLine("HTTP/1.1", 200, "OK")
    wire.conn.pause_writing()
    first = request.conn.write_headers(start, httputil.HTTPHeaders(), b"part")
    assert not first.done()
    wire.conn.resume_writing()
    assert first.done()
    assert first.exception() is None
    wire.conn.pause_writing()
    second = request.conn.write(b"more")
    wire.transport.close()
    settle()
    assert isinstance(second.exception(), StreamClosedError)


def test_a_hang_up_mid_body_tells_the_delegate(wire: Wire) -> None:
    wire.send(b"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
    wire.transport.close()
    settle()
    assert wire.app.requests[0].calls == ["head POST /a", "closed"]


def test_a_hang_up_while_answering_calls_the_close_callback(wire: Wire) -> None:
    wire.send(GET)
    (request,) = wire.app.requests
    heard: list[str] = []
    request.conn.set_close_callback(lambda: heard.append("gone"))  # type: ignore[attr-defined]
    wire.transport.close()
    settle()
    assert heard == ["gone"]
    assert request.calls == ["head GET /a", "finish"]


def test_a_head_over_the_limit_gets_431_even_in_small_pieces(make_wire: MakeWire) -> None:
    wire = make_wire(max_header_bytes=1024)
    wire.send(b"GET /a HTTP/1.1\r\nHost: a\r\nX-Pad: ")
    for _ in range(10):
        wire.send(b"p" * 200)  # one field, never finished: it sits in the parser
    settle()
    assert bytes(wire.transport.written).startswith(b"HTTP/1.1 431 ")
    assert wire.transport.closed
    assert wire.app.requests == []


def test_the_sweep_closes_a_connection_whose_first_head_is_late(make_wire: MakeWire) -> None:
    wire = make_wire(header_timeout=0.2)
    wire.send(b"GET /a HTTP/1.1\r\n")
    wire.server.add_sockets([])  # starts the sweep
    run(asyncio.sleep(0.5))
    assert wire.transport.aborted
    assert wire.app.requests == []
    run(wire.server.close_all_connections())


def test_the_sweep_closes_a_connection_whose_client_stopped_reading(make_wire: MakeWire) -> None:
    wire = make_wire(idle_timeout=0.2)
    wire.send(GET)
    wire.conn.pause_writing()  # our answer is not being read
    wire.server.add_sockets([])
    run(asyncio.sleep(0.5))
    assert wire.transport.aborted
    assert wire.server.busy_count == 0  # the connection is gone, its request with it


def test_a_draining_server_closes_an_idle_connection_and_a_busy_one_after_its_answer(
    wire: Wire,
) -> None:
    other = Connection(wire.server)
    other_transport = FakeTransport()
    other_transport.protocol = other
    other.connection_made(other_transport)
    wire.send(GET)
    assert wire.server.busy_count == 1
    assert wire.server.close_idle() == 1
    assert other_transport.aborted
    assert not wire.transport.closed
    wire.app.requests[0].answer()
    assert wire.transport.closed
    assert not wire.transport.aborted
    settle()
    assert wire.server.busy_count == 0


def test_pipelined_requests_wait_while_the_client_does_not_read_its_answers(wire: Wire) -> None:
    wire.send(GET.replace(b"/a", b"/1"))
    wire.conn.pause_writing()  # the socket's buffer is full: the client stopped reading
    wire.app.requests[0].answer(body=b"one")
    wire.send(GET.replace(b"/a", b"/2") * 5000)  # and it keeps on pipelining
    assert len(wire.app.requests) == 1  # no answer is made that could not be sent
    assert not wire.transport.reading  # and the requests stop being read
    wire.conn.resume_writing()
    assert [d.calls for d in wire.app.requests][1] == ["head GET /2", "finish"]


def test_a_burst_of_pipelined_requests_is_parsed_only_a_queue_ahead(wire: Wire) -> None:
    wire.send(GET * 3000)  # one read of 87 KB: 3,000 requests
    assert len(wire.app.requests) == 1
    # Parsed a slice at a time while the queue has room: a head and an end each.
    assert len(wire.conn.events) <= 2 * (MAX_HEADS + PARSE_SLICE // len(GET) + 1)
    assert not wire.transport.reading  # the rest waits as bytes, and nothing more is read
    for n in range(3000):
        wire.app.requests[n].answer()
    assert len(wire.app.requests) == 3000  # every one answered, in turn
    assert wire.transport.reading


def test_an_http_1_0_keep_alive_client_told_to_close_is_not_told_keep_alive(wire: Wire) -> None:
    wire.send(b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    (request,) = wire.app.requests
    start = httputil.ResponseStartLine("HTTP/1.1", 200, "OK")
    headers = httputil.HTTPHeaders({"Content-Length": "2", "Connection": "close"})
    request.conn.write_headers(start, headers, b"ok")
    request.conn.finish()
    head = bytes(wire.transport.written).split(b"\r\n\r\n")[0]
    assert b"\r\nConnection: close" in head
    assert b"Keep-Alive" not in head
    assert wire.transport.closed


def test_an_http_1_0_keep_alive_client_keeps_its_connection(wire: Wire) -> None:
    wire.send(b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    wire.app.requests[0].answer()
    assert b"\r\nConnection: Keep-Alive\r\n" in bytes(wire.transport.written)
    assert not wire.transport.closed


def test_no_deadline_passes_before_its_timeout_has_on_uvloop() -> None:
    # uvloop's loop.time() is libuv's cached millisecond clock: a deadline taken from it could
    # pass up to a millisecond early, and the handler, which measures the request's age itself,
    # then logged a body cut off at its timeout as a client hang-up (499, not 408).
    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)

    async def make() -> Wire:
        return Wire(body_timeout=0.003)

    try:
        for _ in range(200):
            wire = loop.run_until_complete(make())
            began = time.monotonic()
            wire.send(b"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n{")
            assert wire.app.requests, "the head reached the app"
            while not wire.server.expire_overdue():
                pass
            assert time.monotonic() - began >= 0.003
    finally:
        asyncio.set_event_loop(None)
        loop.close()
