"""The bare Tornado ceiling: a handler answering like a task, no storage; `--port P` to serve it.

Everything is Tornado's default (ETag, access log, headers), so the ratio of the service to this
app is what the service adds on top of Tornado itself.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal

import tornado.web

TASK = {"title": "Task1", "priority": "none", "completed": False}
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


async def until_signalled() -> None:
    """Return at the first SIGTERM or SIGINT (the harness stops its servers with SIGTERM)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve(port: int, host: str) -> None:
    """Listen until SIGTERM or SIGINT, then stop accepting and return."""
    server = make_app().listen(port, host)
    await until_signalled()
    server.stop()


def main(argv: list[str] | None = None) -> int:
    """Parse the port and serve."""
    p = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__)
    p.add_argument("--port", type=int, required=True, help="port to listen on")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (%(default)s)")
    args = p.parse_args(argv)
    asyncio.run(serve(args.port, args.host))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
