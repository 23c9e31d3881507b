"""The bare Tornado ceiling: a handler answering like a task, no storage; `--port P` to serve it.

Everything is Tornado's default (ETag, access log, headers), so the ratio of the service to this
app is what the service adds on top of Tornado itself. `--http llhttp` serves the same app through
the service's llhttp transport on uvloop instead of Tornado's own HTTP server on asyncio's loop.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
from collections.abc import Coroutine
from typing import Any, Final, Protocol

import tornado.netutil
import tornado.web

from taskservice.config import Config
from taskservice.tornado.llhttp import LLHTTPServer
from taskservice.tornado.loops import loop_factory

TASK = {"title": "Task1", "priority": "none", "completed": False}
HTTP: Final = ("tornado", "llhttp")
"""The transports an app here can be served on: Tornado's own HTTP server, or the service's."""
_ids = itertools.count(1)


class BareHandler(tornado.web.RequestHandler):
    """GET answers a small task-like dict; POST reads the body and answers 201 with a Location."""

    def get(self, _path: str) -> None:
        self.write(TASK)

    def post(self, _path: str) -> None:
        _ = self.request.body  # read, as the service does; nothing is kept
        self.set_status(201)
        self.set_header("Location", f"/tasks/{next(_ids):032x}")


def make_app() -> tornado.web.Application:
    """The app: one handler for every path."""
    return tornado.web.Application([(r"/(.*)", BareHandler)])


class Listener(Protocol):
    """What serving needs of either transport to stop: no new connections, then close them."""

    def stop(self) -> None: ...
    async def close_all_connections(self) -> None: ...


def listen(app: tornado.web.Application, port: int, host: str, http: str) -> Listener:
    """Serve `app` on `http`'s transport (inside the running loop, which LLHTTPServer needs)."""
    if http == "tornado":
        return app.listen(port, host)  # exactly as the 1.00x has always been served
    # The service's own connection limits, so only the application differs from the service's.
    limits = Config()
    server = LLHTTPServer(
        app,
        max_header_bytes=limits.max_header_bytes,
        header_timeout=limits.header_timeout_s,
        idle_timeout=limits.idle_timeout_s,
        body_timeout=limits.body_timeout_s,
    )
    server.add_sockets(tornado.netutil.bind_sockets(port, host))
    return server


def run(main: Coroutine[Any, Any, None], http: str) -> None:
    """Run `main` on the loop the service gives `http`: uvloop for llhttp, else asyncio's own."""
    with asyncio.Runner(loop_factory=None if http == "tornado" else loop_factory("uvloop")) as r:
        r.run(main)


def add_http_argument(p: argparse.ArgumentParser) -> None:
    """`--http tornado|llhttp`, Tornado's own server by default."""
    p.add_argument(
        "--http",
        choices=HTTP,
        default="tornado",
        help="the HTTP transport: tornado (Tornado's own server, asyncio's loop; the default) "
        "or llhttp (the service's, on uvloop)",
    )


async def until_signalled() -> None:
    """Return at the first SIGTERM or SIGINT (the harness stops its servers with SIGTERM)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve(port: int, host: str, http: str = "tornado") -> None:
    """Listen until SIGTERM or SIGINT, then stop accepting, close every connection and return."""
    server = listen(make_app(), port, host, http)
    await until_signalled()
    server.stop()
    # Closed while the loop still runs: uvloop's runner closes its loop next.
    await server.close_all_connections()


def main(argv: list[str] | None = None) -> int:
    """Parse the port and the transport, and serve."""
    p = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__)
    p.add_argument("--port", type=int, required=True, help="port to listen on")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (%(default)s)")
    add_http_argument(p)
    args = p.parse_args(argv)
    run(serve(args.port, args.host, args.http), args.http)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
