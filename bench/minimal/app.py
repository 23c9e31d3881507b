"""The minimal app's handlers, and `python -m bench.minimal --port P --store FILE` to serve it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
from pathlib import Path

import tornado.web
from tornado import httputil

import bench.minimal
from bench.baseline import add_http_argument, listen, run, until_signalled
from bench.minimal.lines import LogLines
from bench.minimal.store import Closing, RowRefused, Store
from taskservice.ids import new_request_id, new_task_id
from taskservice.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from taskservice.tornado.httpdate import http_date


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")  # json.loads takes NaN and Infinity otherwise


class _Handler(tornado.web.RequestHandler):
    request_id = ""

    def initialize(self, store: Store, lines: LogLines) -> None:
        self.store = store
        self.lines = lines

    def clear(self) -> None:
        # Tornado's clear() without the two costs per response the service trims too: a Date
        # formatted for every response (here once a second) and a Server header.
        self._headers = httputil.HTTPHeaders(
            {"Content-Type": "text/html; charset=UTF-8", "Date": http_date()}
        )
        self._write_buffer = []
        self._status_code = 200
        self._reason = http.client.responses[200]
        self.set_default_headers()

    def set_default_headers(self) -> None:
        # Called again when an error clears the headers, so every answer carries the id.
        self.request_id = self.request_id or new_request_id()
        self.set_header("X-Request-Id", self.request_id)

    def compute_etag(self) -> None:
        return None  # no SHA-1 of every body: the service's ETag is the task's version

    def on_finish(self) -> None:
        r = self.request
        self.lines.add({
            "req_id": self.request_id, "method": r.method, "uri": r.uri, "ip": r.remote_ip,
            "message": "RESPONSE", "status": self.get_status(),
            "time_ms": round(1000 * r.request_time(), 3),
        })  # fmt: skip


class TaskHandler(_Handler):
    """GET /tasks/{id}: the task, or 404."""

    def get(self, task_id: str) -> None:
        task = self.store.get(task_id)
        if task is None:
            raise tornado.web.HTTPError(404)
        self.write(task)


class TasksHandler(_Handler):
    """GET /tasks: a page of id -> task, with a Link to the next; POST /tasks: a new task."""

    def get(self) -> None:
        after = self.get_query_argument("after", "")
        try:
            limit = int(self.get_query_argument("limit", str(DEFAULT_PAGE_SIZE)))
        except ValueError:
            raise tornado.web.HTTPError(400) from None
        limit = min(limit, MAX_PAGE_SIZE)  # the service's bounds
        if limit < 1:
            raise tornado.web.HTTPError(400)
        tasks = self.store.page(after, limit + 1)  # one more says whether a next page exists
        if len(tasks) > limit:
            tasks = tasks[:limit]
            self.set_header("Link", f'</tasks?limit={limit}&after={tasks[-1][0]}>; rel="next"')
        self.write(dict(tasks))

    async def post(self) -> None:
        try:
            body = json.loads(self.request.body, parse_constant=_not_json)
            title = body["title"]
        except (ValueError, TypeError, KeyError, RecursionError):
            raise tornado.web.HTTPError(400) from None
        if not isinstance(title, str):
            raise tornado.web.HTTPError(400)
        # Time-ordered like the service's ids: each insert lands at the end of the index.
        task_id = new_task_id()
        row = (task_id, title, body.get("description"), body.get("priority", "none"),
               bool(body.get("completed", False)), body.get("due_date"))  # fmt: skip
        try:
            await self.store.create(row)
        except RowRefused:
            raise tornado.web.HTTPError(400) from None
        except Closing:
            self.set_header("Connection", "close")
            raise tornado.web.HTTPError(503) from None
        self.set_status(201)
        self.set_header("Location", f"/tasks/{task_id}")


class NotFoundHandler(_Handler):
    """Any other path: 404, with a request id and a line like every answer."""

    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)


class HealthHandler(tornado.web.RequestHandler):
    """GET /healthz: 200 once listening, for the harness that starts the app."""

    def get(self) -> None:
        self.write({"status": "ok"})


def make_app(store: Store, lines: LogLines) -> tornado.web.Application:
    """The app: the two task routes and /healthz, Tornado's defaults otherwise."""
    deps = {"store": store, "lines": lines}
    return tornado.web.Application(
        [
            (r"/tasks", TasksHandler, deps),
            (r"/tasks/([^/]+)", TaskHandler, deps),
            (r"/healthz", HealthHandler),
        ],
        default_handler_class=NotFoundHandler,
        default_handler_args=deps,
        log_function=lambda handler: None,  # the canonical line is the access log
    )


async def serve(port: int, host: str, store: Store, lines: LogLines, http: str = "tornado") -> None:
    """Listen on `http`'s transport until SIGTERM or SIGINT; then let the writes taken commit and
    answer, refuse new ones with 503 (kept-alive connections still bring requests), and close
    every connection."""
    server = listen(make_app(store, lines), port, host, http)
    await until_signalled()
    server.stop()
    store.closing = True
    await store.idle()
    await asyncio.sleep(0.01)  # the requests those writes resolved write their answers
    # Bounded: a client still sending a body must not hold the stop up.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(server.close_all_connections(), 5)


def main(argv: list[str] | None = None) -> int:
    """Parse the port, the transport, the store file and the log file, and serve."""
    p = argparse.ArgumentParser(prog="python -m bench.minimal", description=bench.minimal.__doc__)
    p.add_argument("--port", type=int, required=True, help="port to listen on")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (%(default)s)")
    p.add_argument("--store", type=Path, required=True, help="the sqlite file (made if missing)")
    p.add_argument("--log", type=Path, default=Path("minimal.log"), help="log file (%(default)s)")
    add_http_argument(p)
    args = p.parse_args(argv)
    args.log.parent.mkdir(parents=True, exist_ok=True)
    store, lines = Store(args.store), LogLines(args.log)
    try:
        run(serve(args.port, args.host, store, lines, args.http), args.http)
    finally:
        # After the loop is gone: every request it still held has finished or been cancelled.
        lines.close()
        store.close()
    return 0
