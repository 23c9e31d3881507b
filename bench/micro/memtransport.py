"""An in-memory connection to the llhttp transport: HTTP bytes in, bytes out, no socket."""

from __future__ import annotations

import asyncio
from typing import Any

from bench.micro.memstream import response_complete
from taskservice.tornado.llhttp import LLHTTPServer
from taskservice.tornado.llhttp.protocol import Connection


class MemoryTransport(asyncio.Transport):
    """The transport a Connection writes to: it collects each response for the client."""

    def __init__(self) -> None:
        super().__init__()
        self._output = bytearray()
        self._response: asyncio.Future[bytes] | None = None
        self._closing = False
        self.closed = asyncio.get_running_loop().create_future()
        self.protocol: Connection | None = None

    def expect(self) -> asyncio.Future[bytes]:
        """The future of the next whole response."""
        self._output.clear()
        self._response = asyncio.get_running_loop().create_future()
        return self._response

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 54321) if name == "peername" else default

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._output += data
        response = self._response
        if response is not None and not response.done() and response_complete(self._output):
            response.set_result(bytes(self._output))

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            asyncio.get_running_loop().call_soon(self._lost)

    def abort(self) -> None:
        self.close()

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def _lost(self) -> None:
        if self.protocol is not None:
            self.protocol.connection_lost(None)
        if not self.closed.done():
            self.closed.set_result(None)


class LLHTTPClient:
    """One kept-alive HTTP/1.1 connection to an LLHTTPServer, as a load generator would hold."""

    def __init__(self, server: LLHTTPServer) -> None:
        self.transport = MemoryTransport()
        self.conn = self.transport.protocol = Connection(server)
        self.conn.connection_made(self.transport)

    async def send(self, request: bytes) -> bytes:
        """One exchange on this connection: the raw response."""
        response = self.transport.expect()
        self.conn.data_received(request)
        return await response

    async def close(self) -> None:
        """Hang up and wait until the server has closed its side."""
        self.conn.eof_received()
        self.transport.close()
        await self.transport.closed
