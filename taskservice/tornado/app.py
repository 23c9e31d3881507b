"""make_app(config, service): Tornado handlers that translate HTTP to service calls and back."""

from __future__ import annotations

import http.client
import logging
import re
import traceback
from types import TracebackType
from typing import Any, Final

import tornado.web

from taskservice.config import Config
from taskservice.datamodel import dump_json, task_from_json
from taskservice.errors import StoreError, TaskNotFound, ValidationError
from taskservice.service import TodoListService, new_task_id
from taskservice.tornado.inflight import InFlight
from taskservice.utils.logutils import bind_context, log_event, log_response

JSON_CONTENT_TYPE: Final = "application/json; charset=UTF-8"
_SANE_REQUEST_ID: Final = re.compile(r"[\x20-\x7e]{1,128}")
_DOMAIN_STATUS: Final = ((ValidationError, 400), (TaskNotFound, 404), (StoreError, 503))
ExcInfo = tuple[type[BaseException], BaseException, TracebackType]


def _domain_status(exc: BaseException | None) -> int | None:
    for cls, status in _DOMAIN_STATUS:
        if isinstance(exc, cls):
            return status
    return None


@tornado.web.stream_request_body
class BaseHandler(tornado.web.RequestHandler):
    """Request id, log context, bounded body, JSON errors and the canonical log line."""

    _req_id: str | None = None

    def initialize(
        self, service: TodoListService, config: Config, logger: logging.Logger, inflight: InFlight
    ) -> None:
        self.service = service
        self.config = config
        self.logger = logger
        self.inflight = inflight
        self._chunks: list[bytes] = []
        self._body_size = 0
        self._exc_info: ExcInfo | None = None
        self._done = False
        inflight.started()
        self.log_context = {
            "req_id": self.request_id,
            "method": self.request.method,
            "uri": self.request.uri,
            "ip": self.request.remote_ip,
        }
        log_event(logger, logging.DEBUG, "REQUEST", self.log_context)

    @property
    def request_id(self) -> str:
        """The client's X-Request-ID when it is sane (1-128 printable characters), else a new id."""
        if self._req_id is None:
            sent = self.request.headers.get("X-Request-ID", "")
            self._req_id = sent if _SANE_REQUEST_ID.fullmatch(sent) else new_task_id()
        return self._req_id

    def set_default_headers(self) -> None:
        # Runs again after clear() when an error replaces the response: the id must survive.
        self.set_header("X-Request-ID", self.request_id)

    def prepare(self) -> None:
        bind_context(**self.log_context)
        declared = self.request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.config.max_body_bytes:
            raise tornado.web.HTTPError(413)

    def data_received(self, chunk: bytes) -> None:
        if self._done:
            return  # an error answered already; the connection closes after it
        self._body_size += len(chunk)
        if self._body_size > self.config.max_body_bytes:
            # A chunked body had no Content-Length to refuse up front: refuse it now.
            self._chunks.clear()
            self.send_error(413)
            return
        self._chunks.append(chunk)

    @property
    def body(self) -> bytes:
        """The whole request body, read within the configured bound."""
        return b"".join(self._chunks)

    def write_json(self, value: object, status: int = 200) -> None:
        """Finish the response with a JSON body."""
        self.set_status(status)
        self.set_header("Content-Type", JSON_CONTENT_TYPE)
        self.finish(dump_json(value))

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc = kwargs["exc_info"][1] if "exc_info" in kwargs else None
        super().send_error(_domain_status(exc) or status_code, **kwargs)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info: ExcInfo | None = kwargs.get("exc_info")
        body = {
            "method": self.request.method,
            "uri": self.request.uri,
            "code": status_code,
            "message": self._error_message(status_code, exc_info[1] if exc_info else None),
        }
        if self.config.debug and exc_info is not None:
            body["trace"] = "".join(traceback.format_exception(*exc_info))
        if status_code == 405:
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        self.write_json(body, status_code)

    def _error_message(self, status_code: int, exc: BaseException | None) -> str:
        if isinstance(exc, ValidationError | TaskNotFound):
            return str(exc)
        if isinstance(exc, StoreError):
            return "the task store is unavailable; try again later"
        if isinstance(exc, tornado.web.HTTPError) and exc.log_message:
            return exc.log_message % exc.args if exc.args else exc.log_message
        if status_code == 413:
            return f"request body larger than {self.config.max_body_bytes} bytes"
        # Never raw exception text: the standard reason phrase for the status.
        return http.client.responses.get(status_code, "Unknown")

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Kept for the canonical line, which knows the final status; Tornado's own logging is off.
        if typ is not None and value is not None and tb is not None and not self._done:
            self._exc_info = (typ, value, tb)

    def allowed_methods(self) -> list[str]:
        """The HTTP methods this handler implements."""
        base = tornado.web.RequestHandler
        names = ("GET", "POST", "PUT", "DELETE")
        return [m for m in names if getattr(type(self), m.lower()) is not getattr(base, m.lower())]

    def log_response(self, status: int | None = None, error: str | None = None) -> None:
        """Log the canonical RESPONSE line, once per request."""
        if self._done:
            return
        self._done = True
        self.inflight.finished()
        status = self.get_status() if status is None else status
        trace = None
        if self._exc_info is not None:
            exc = self._exc_info[1]
            error = error or self._error_message(status, exc)
            if status >= 500:
                trace = "".join(traceback.format_exception(*self._exc_info))
        elif error is None and status >= 400:
            error = self._error_message(status, None)
        time_ms = 1000.0 * self.request.request_time()
        log_response(self.logger, self.log_context, status, time_ms, error=error, trace=trace)

    def on_connection_close(self) -> None:
        super().on_connection_close()
        if not self._done:
            # nginx's convention: 499, the client closed the connection before the answer.
            self.log_response(499, "client closed the connection")


class TodoListHandler(BaseHandler):
    """`GET /tasks` lists every task; `POST /tasks` creates one."""

    async def get(self) -> None:
        tasks = await self.service.list_tasks()
        self.write_json({task_id: task.to_api() for task_id, task in tasks.items()})

    async def post(self) -> None:
        task_id = await self.service.create_task(task_from_json(self.body))
        self.set_status(201)
        self.set_header("Location", f"/tasks/{task_id}")
        self.clear_header("Content-Type")  # no body, so no type
        self.finish()


class TaskHandler(BaseHandler):
    """`GET`, `PUT` and `DELETE` one task by id."""

    async def get(self, task_id: str) -> None:
        task = await self.service.get_task(task_id)
        self.write_json(task.to_api())

    async def put(self, task_id: str) -> None:
        # Validate before touching the store, so a rejected PUT leaves the task as it was.
        task = task_from_json(self.body)
        await self.service.replace_task(task_id, task)
        self.set_status(204)
        self.finish()

    async def delete(self, task_id: str) -> None:
        await self.service.delete_task(task_id)
        self.set_status(204)
        self.finish()


class HealthHandler(BaseHandler):
    """`GET /healthz`: the process is up and serving requests."""

    def get(self) -> None:
        self.write_json({"status": "ok"})


class NotFoundHandler(BaseHandler):
    """Every path that no route matches: a JSON 404."""

    def prepare(self) -> None:
        super().prepare()
        raise tornado.web.HTTPError(404, "no such endpoint: %s", self.request.path)


def _log_request(handler: tornado.web.RequestHandler) -> None:
    if isinstance(handler, BaseHandler):
        handler.log_response()


def make_app(config: Config, service: TodoListService) -> tornado.web.Application:
    """The Tornado application: routes, handlers and logging, wired to one service."""
    inflight = InFlight()
    args = {
        "service": service,
        "config": config,
        "logger": logging.getLogger("taskservice"),
        "inflight": inflight,
    }
    routes: list[Any] = [
        (r"/tasks/?", TodoListHandler, args),
        (r"/tasks/([^/]+)/?", TaskHandler, args),
        (r"/healthz", HealthHandler, args),
    ]
    return tornado.web.Application(
        routes,
        default_handler_class=NotFoundHandler,
        default_handler_args=args,
        log_function=_log_request,
        inflight=inflight,
    )
