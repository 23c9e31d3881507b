"""A request is in flight from the moment its head is read: body still arriving included.

Requests with a small Content-Length are read whole before their handler is made
(application.py), so counting handler tasks alone missed a request whose body was still
arriving; a drain that began then did not wait for its handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

import tornado.iostream
import tornado.tcpclient
import tornado.testing

from taskservice.datamodel import Task
from taskservice.store import MemoryStore, Store
from taskservice.tornado.shutdown import HTTPListener, drain
from tests.integration.support import AppTestCase

BOUND_S = 20.0  # generous: these wait on events (the body timeout, 30 s, must not come first)
BODY = b'{"title": "arriving"}'
HEAD = f"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: {len(BODY)}\r\n\r\n".encode()


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait, turning the event loop, until condition() holds; fail after BOUND_S."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BOUND_S
    while not condition():
        assert loop.time() < deadline, f"not within {BOUND_S:g} s: {what}"
        await asyncio.sleep(0.005)


class _GatedCreateStore(MemoryStore):
    """Its create() waits until the test opens the gate; notes a close() during a create."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()
        self.creating = False
        self.closed_while_creating = False

    async def create(self, task_id: str, task: Task) -> None:
        self.creating = True
        self.entered.set()
        try:
            await self.gate.wait()
            await super().create(task_id, task)
        finally:
            self.creating = False

    async def close(self) -> None:
        self.closed_while_creating |= self.creating
        await super().close()


class TestBodyStillArriving(AppTestCase):
    def make_store(self) -> Store:
        self.gated = _GatedCreateStore()
        return self.gated

    @property
    def server(self) -> HTTPListener:
        """The transport's server: GuardedHTTPServer or LLHTTPServer (get_http_server)."""
        return cast(HTTPListener, self.http_server)

    async def connect(self) -> tornado.iostream.IOStream:
        return await tornado.tcpclient.TCPClient().connect("127.0.0.1", self.get_http_port())

    @tornado.testing.gen_test(timeout=2 * BOUND_S)
    async def test_a_request_is_in_flight_while_its_body_arrives(self) -> None:
        stream = await self.connect()
        await stream.write(HEAD + BODY[:1])
        await until(lambda: self.inflight.count == 1, "the request is in flight")
        await stream.write(BODY[1:])
        await self.gated.entered.wait()
        assert self.inflight.count == 1  # its handler now, counted once
        self.gated.gate.set()
        answer = await stream.read_until(b"\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 201 ")
        await until(lambda: self.inflight.count == 0, "nothing is in flight")
        stream.close()

    @tornado.testing.gen_test(timeout=2 * BOUND_S)
    async def test_a_request_cut_off_while_its_body_arrives_leaves_nothing_in_flight(
        self,
    ) -> None:
        stream = await self.connect()
        await stream.write(HEAD + BODY[:1])
        await until(lambda: self.inflight.count == 1, "the request is in flight")
        stream.close()
        await until(lambda: self.inflight.count == 0, "nothing is in flight")
        assert not self.gated.entered.is_set()

    @tornado.testing.gen_test(timeout=2 * BOUND_S)
    async def test_the_drain_waits_for_the_handler_of_a_body_that_arrived_after_the_signal(
        self,
    ) -> None:
        stream = await self.connect()
        await stream.write(HEAD + BODY[:1])
        await until(lambda: self.server.busy_count == 1, "the server has the head")
        drained = asyncio.ensure_future(
            drain(self.server, self.inflight, self.gated, grace_s=BOUND_S)
        )
        await stream.write(BODY[1:])
        await self.gated.entered.wait()  # the handler is writing the task...
        stream.close()  # ...and the client hangs up: its connection is no longer busy
        await until(lambda: self.server.busy_count == 0, "the connection is closed")
        for _ in range(20):
            await asyncio.sleep(0)  # turns of the loop for a drain that would not wait
        assert not drained.done(), "the drain went on while the handler was writing"
        self.gated.gate.set()
        assert await drained == 0
        assert not self.gated.closed_while_creating
        assert self.inflight.count == 0
