"""BaseHandler: request id, log context, bounded body, JSON errors and the canonical log line."""

from __future__ import annotations

import asyncio
import http.client
import logging
import re
import traceback
from types import TracebackType
from typing import Any, ClassVar, Final

import tornado.web
from tornado import httputil
from tornado.httputil import HTTPInputError
from tornado.util import ObjectDict
from tornado.web import _UIModuleNamespace

from taskservice.config import Config
from taskservice.datamodel import dump_json
from taskservice.errors import StoreError, TaskNotFound, ValidationError, VersionMismatch
from taskservice.ids import new_request_id
from taskservice.observe.metrics import Metrics
from taskservice.service import TodoListService
from taskservice.store import StoreTime, start_request
from taskservice.tornado.framing import declared_body_length
from taskservice.tornado.headers import ResponseHeaders, field_lines, has_field
from taskservice.tornado.httpdate import http_date
from taskservice.tornado.inflight import InFlight
from taskservice.tornado.tagging import UNMATCHED
from taskservice.utils.logutils import bind_fields, format_ms, log_event, log_response

JSON_CONTENT_TYPE: Final = "application/json; charset=UTF-8"
_SANE_REQUEST_ID: Final = re.compile(r"[\x20-\x7e]{1,128}")
_DOMAIN_STATUS: Final = (
    (ValidationError, 400),
    (TaskNotFound, 404),
    (VersionMismatch, 412),
    (StoreError, 503),
)
ExcInfo = tuple[type[BaseException], BaseException, TracebackType]


def _domain_status(exc: BaseException | None) -> int | None:
    for cls, status in _DOMAIN_STATUS:
        if isinstance(exc, cls):
            return status
    return None


def display_uri(uri: str) -> str:
    """The request URI as text: Tornado hands over raw bytes as latin-1, most clients send UTF-8."""
    if uri.isascii():
        return uri
    return uri.encode("latin-1").decode("utf-8", "replace")


@tornado.web.stream_request_body
class BaseHandler(tornado.web.RequestHandler):
    """Every handler's common ground; subclasses only translate HTTP to service calls."""

    ROUTE: ClassVar[str] = UNMATCHED  # the route template, as requests are tagged for profiling
    _req_id: str | None = None
    _store_time: StoreTime | None = None  # set once the request runs (prepare)

    def __init__(
        self,
        application: tornado.web.Application,
        request: httputil.HTTPServerRequest,
        **kwargs: Any,
    ) -> None:
        """Tornado's constructor, less the template namespace (`ui`) it builds for each request.

        No handler here renders templates; `ui` is built as Tornado builds it on first use.
        """
        self.application = application
        self.request = request
        self._headers_written = False
        self._finished = False
        self._auto_finish = True
        self._prepared_future = None
        self.clear()
        assert request.connection is not None
        request.connection.set_close_callback(self.on_connection_close)  # type: ignore[attr-defined]
        self.initialize(**kwargs)

    _ui: ObjectDict | None
    _ui_made = False

    @property
    def ui(self) -> ObjectDict:
        """Tornado's template namespace: ui methods and modules, made when first asked for."""
        if not self._ui_made:
            ui = ObjectDict((n, self._ui_method(m)) for n, m in self.application.ui_methods.items())
            ui["_tt_modules"] = _UIModuleNamespace(self, self.application.ui_modules)
            ui["modules"] = ui["_tt_modules"]
            self.ui = ui
        return self._ui  # type: ignore[return-value]

    @ui.setter
    def ui(self, value: ObjectDict | None) -> None:
        # Tornado sets None once the request is finished, to break the namespace's cycles.
        self._ui = value
        self._ui_made = True

    def initialize(self, service: TodoListService, config: Config, logger: logging.Logger) -> None:
        self.service = service
        self.config = config
        self.logger = logger
        self._chunks: list[bytes] = []
        self._body_size = 0
        self._declared_size: int | None = None
        self._exc_info: ExcInfo | None = None
        self._malformed: str | None = None
        self._logged = False
        self.answered_before_body = False  # an error answered from prepare(), body unread
        self.log_context = {
            "req_id": self.request_id,
            "method": self.request.method,
            "uri": display_uri(self.request.uri or ""),
            "ip": self.request.remote_ip,
        }
        log_event(logger, logging.DEBUG, "REQUEST", self.log_context)

    @property
    def request_id(self) -> str:
        """The client's X-Request-ID when it is sane (1-128 printable characters), else a new id.

        A request that sends an insane one is refused with 400, under the new id.
        """
        if self._req_id is None:
            sent = self._sent_request_id() or ""
            self._req_id = sent if _SANE_REQUEST_ID.fullmatch(sent) else new_request_id()
        return self._req_id

    def _sent_request_id(self) -> str | None:
        sent = field_lines(self.request.headers, "X-Request-Id")
        return ",".join(sent) if sent else None

    @property
    def inflight(self) -> InFlight:
        """The application's one in-flight tracker (also reachable before initialize runs)."""
        inflight: InFlight = self.application.settings["inflight"]
        return inflight

    def clear(self) -> None:
        """Reset the response to our defaults (Tornado's clear(), minus its costs per request).

        Runs at the start of every request and again when an error replaces the response. The
        headers are built in one go, the Date is made once a second rather than per response, and
        there is no Server header: Tornado's name and version tell an attacker what to try.
        """
        self._headers = ResponseHeaders.of(
            {
                "Content-Type": "text/html; charset=UTF-8",
                "Date": http_date(),
                "X-Request-ID": self.request_id,
                # Browsers must take every answer, errors included, as the type it says it is.
                "X-Content-Type-Options": "nosniff",
            }
        )
        self._write_buffer = []
        self._status_code = 200
        self._reason = http.client.responses[200]
        self.set_default_headers()  # Tornado's hook, still honoured for any subclass

    def prepare(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.inflight.track(task)
        self._store_time = start_request()  # in this request's own task, so its own sum
        bind_fields(self.log_context)  # never changed after initialize(): shared, not copied
        sent_id = self._sent_request_id()
        if sent_id is not None and self.request_id != sent_id:
            self.answered_before_body = True
            raise tornado.web.HTTPError(400, "X-Request-ID: must be 1 to 128 printable characters")
        if not self._stream_request_body:
            return  # read whole, within the bound (see application.py): nothing to check
        try:
            declared = declared_body_length(self.request.headers)
        except HTTPInputError as e:
            # Tornado's reader answers this with a bare 400 and closes; note why for the log line.
            self._malformed = f"malformed request: {e}"
            return
        self._declared_size = declared
        if declared is not None and declared > self.config.max_body_bytes:
            self.answered_before_body = True
            raise tornado.web.HTTPError(413)

    def data_received(self, chunk: bytes) -> None:
        if self._logged:
            return  # answered already; the connection closes after the answer
        self._body_size += len(chunk)
        if self._body_size > self.config.max_body_bytes:
            # A chunked body had no Content-Length to refuse up front: refuse it now.
            self._chunks.clear()
            self.answered_before_body = True
            self.send_error(413)
            return
        self._chunks.append(chunk)

    @property
    def body(self) -> bytes:
        """The whole request body, read within the configured bound."""
        if not self._stream_request_body:
            return self.request.body  # read whole by Tornado (application.py)
        return b"".join(self._chunks)

    def lost_before_body(self, received: int) -> None:
        """A buffered request's connection closed with `received` bytes of its body read."""
        self._declared_size = declared_body_length(self.request.headers)
        self._body_size = received
        self.on_connection_close()

    def compute_etag(self) -> str | None:
        """No ETag unless a handler knows a version: Tornado's default hashes every body."""
        return None

    def check_etag_header(self) -> bool:
        """Tornado's check, skipped when either tag is missing (it would answer False then)."""
        if not has_field(self.request.headers, "If-None-Match") or "Etag" not in self._headers:
            return False
        return super().check_etag_header()

    def write_json(self, value: object, status: int = 200) -> None:
        """Finish the response with a JSON body."""
        self.set_status(status)
        self._headers["Content-Type"] = JSON_CONTENT_TYPE  # a constant: set_header's checks pass
        self.finish(dump_json(value))

    def finish(self, chunk: str | bytes | dict[str, Any] | None = None) -> asyncio.Future[None]:
        if self.inflight.draining:
            # Requests that began before the drain too: the server closes after this answer.
            self.set_header("Connection", "close")
        return super().finish(chunk)

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc = kwargs["exc_info"][1] if "exc_info" in kwargs else None
        super().send_error(_domain_status(exc) or status_code, **kwargs)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info: ExcInfo | None = kwargs.get("exc_info")
        body = {
            "method": self.request.method,
            "uri": self.log_context["uri"],
            "code": status_code,
            "message": self._error_message(status_code, exc_info[1] if exc_info else None),
        }
        if self.config.debug and exc_info is not None:
            body["trace"] = "".join(traceback.format_exception(*exc_info))
        if status_code == 405:
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        # Tornado refuses a method it does not know before reading the body, too. A request read
        # whole (application.py) has no body left unread, so its connection stays open.
        unread = self.answered_before_body or self.request.method not in self.SUPPORTED_METHODS
        if unread and self._stream_request_body:
            # Tornado closes a connection whose request body was never read: tell the client.
            self.set_header("Connection", "close")
        self.write_json(body, status_code)

    def _error_message(self, status_code: int, exc: BaseException | None) -> str:
        if isinstance(exc, ValidationError | TaskNotFound | VersionMismatch):
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
        if typ is not None and value is not None and tb is not None and not self._logged:
            self._exc_info = (typ, value, tb)

    @classmethod
    def allowed_methods(cls) -> list[str]:
        """The HTTP methods this handler implements."""
        base = tornado.web.RequestHandler
        names = ("GET", "HEAD", "POST", "PUT", "DELETE")
        return [m for m in names if getattr(cls, m.lower()) is not getattr(base, m.lower())]

    def log_response(self, status: int | None = None, error: str | None = None) -> None:
        """Log the canonical RESPONSE line, once per request."""
        if self._logged:
            return
        self._logged = True
        status = self.get_status() if status is None else status
        trace = None
        if self._exc_info is not None:
            error = error or self._error_message(status, self._exc_info[1])
            if status >= 500 and self.logger.isEnabledFor(logging.ERROR):
                trace = "".join(traceback.format_exception(*self._exc_info))
        elif error is None and status >= 400:
            error = self._error_message(status, None)
        seconds = self.request.request_time()
        metrics: Metrics | None = self.application.settings.get("metrics")
        if metrics is not None:
            metrics.observe_request(self.ROUTE, self.request.method or "", status, seconds)
        # db_ms: the time this request waited on the store (TimedStore sums it per request).
        # As text: the float StoreTime.ms would be, rendered as format_value renders a float.
        db_ms = None if self._store_time is None else format_ms(1000.0 * self._store_time.seconds)
        ms, ctx = 1000.0 * seconds, self.log_context
        log_response(self.logger, ctx, status, ms, db_ms=db_ms, error=error, trace=trace)

    def _body_timed_out(self) -> bool:
        # Tornado closes a connection whose body is late without telling the handler why; a body
        # short of its Content-Length once the timeout has passed is that case. (A late chunked
        # body has no length to fall short of, and is logged as a client hang-up.)
        short = self._declared_size is not None and self._body_size < self._declared_size
        return short and self.request.request_time() >= self.config.body_timeout_s

    def on_connection_close(self) -> None:
        super().on_connection_close()
        if self._malformed is not None:
            self.log_response(400, self._malformed)
        elif self.inflight.closing:
            self.log_response(503, "connection closed by the server's shutdown")
        elif self._body_timed_out():
            # nginx's convention too: 408, though the connection closes without an answer.
            timeout = self.config.body_timeout_s
            self.log_response(408, f"request body not received within {timeout:g} s")
        else:
            # nginx's convention: 499, the client closed the connection before the answer.
            self.log_response(499, "client closed the connection")
