"""make_app(config, service): Tornado handlers that translate HTTP to service calls and back."""

from __future__ import annotations

import hashlib
import logging

import tornado.web

from taskservice.apispec import load_spec
from taskservice.config import Config
from taskservice.datamodel import dump_json, task_from_json
from taskservice.observe.metrics import Metrics
from taskservice.paging import parse_page_query
from taskservice.service import TodoListService
from taskservice.tornado.application import ServiceApplication
from taskservice.tornado.basehandler import JSON_CONTENT_TYPE, BaseHandler
from taskservice.tornado.etags import etag_for, parse_if_match
from taskservice.tornado.inflight import InFlight


class TodoListHandler(BaseHandler):
    """`GET /tasks` lists one page of tasks; `POST /tasks` creates one."""

    ROUTE = "/tasks"

    async def get(self) -> None:
        request = parse_page_query(self.request.query_arguments)
        page = await self.service.list_tasks(request)
        if page.next_after is not None:
            following = f"/tasks?limit={request.limit}&after={page.next_after}"
            self.set_header("Link", f'<{following}>; rel="next"')
        self.write_json({task_id: task.to_api() for task_id, task in page.tasks.items()})

    async def post(self) -> None:
        task_id = await self.service.create_task(task_from_json(self.body))
        self.set_status(201)
        # A path of hex digits: nothing for set_header's check of the value to find.
        self._headers["Location"] = f"/tasks/{task_id}"
        self.clear_header("Content-Type")  # no body, so no type
        self.finish()


class TaskHandler(BaseHandler):
    """`GET`, `PUT` and `DELETE` one task by id; the ETag is the task's version."""

    ROUTE = "/tasks/{id}"

    _etag: str | None = None

    def compute_etag(self) -> str | None:
        """The version's strong tag, once the task has been read (never a hash of the body)."""
        return self._etag

    async def get(self, task_id: str) -> None:
        found = await self.service.get_task(task_id)
        self._etag = etag_for(found.version)
        self._headers["Etag"] = self._etag  # set_etag_header's work, less set_header's check
        if self.check_etag_header():  # If-None-Match names the current version
            self.set_status(304)
            self.finish()
            return
        self.write_json(found.task.to_api())

    async def put(self, task_id: str) -> None:
        # Validate before touching the store, so a rejected PUT leaves the task as it was.
        task = task_from_json(self.body)
        expected = parse_if_match(self.request.headers.get("If-Match"))
        version = await self.service.replace_task(task_id, task, expected)
        self.set_header("ETag", etag_for(version))
        self.set_status(204)
        self.finish()

    async def delete(self, task_id: str) -> None:
        expected = parse_if_match(self.request.headers.get("If-Match"))
        await self.service.delete_task(task_id, expected)
        self.set_status(204)
        self.finish()


class HealthHandler(BaseHandler):
    """`GET /healthz` (or `HEAD`, which many load balancers send): the process is up and serving."""

    ROUTE = "/healthz"

    def get(self) -> None:
        self.write_json({"status": "ok"})

    def head(self) -> None:
        self.set_header("Content-Type", JSON_CONTENT_TYPE)
        self.finish()


class OpenApiHandler(BaseHandler):
    """`GET /openapi.json`: the API's OpenAPI 3.1 description, rendered once by make_app."""

    ROUTE = "/openapi.json"

    def compute_etag(self) -> str | None:
        """A hash of the document, which never changes while the server runs."""
        etag: str = self.application.settings["openapi_etag"]
        return etag

    def get(self) -> None:
        document: bytes = self.application.settings["openapi_json"]
        self.set_header("Content-Type", JSON_CONTENT_TYPE)
        self.finish(document)


class _AnyMethod:
    def __contains__(self, method: object) -> bool:
        return True


class NotFoundHandler(BaseHandler):
    """Every path that no route matches: a JSON 404, whatever the method."""

    SUPPORTED_METHODS = _AnyMethod()  # type: ignore[assignment]
    _STANDARD = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})

    def prepare(self) -> None:
        super().prepare()
        if self.request.method not in self._STANDARD:
            # Tornado has no method to call for this one, so answer now, before the body is read.
            self.answered_before_body = True
            self.not_found()

    def not_found(self, *args: str) -> None:
        """Answer 404. Standard methods get here once the body is read, keeping the connection."""
        raise tornado.web.HTTPError(404, "no such endpoint: %s", self.request.path)

    get = head = post = put = delete = patch = options = not_found


def log_request(handler: tornado.web.RequestHandler) -> None:
    """Tornado's log_function: the canonical RESPONSE line of our handlers."""
    if isinstance(handler, BaseHandler):
        handler.log_response()


def make_app(
    config: Config, service: TodoListService, metrics: Metrics | None = None
) -> tornado.web.Application:
    """The Tornado application: routes, handlers and logging, wired to one service.

    Each route is named by its path in openapi.yaml, so a test can hold the two in step. With
    metrics, every answer is counted and timed there (served by the admin app's /metrics).
    """
    args = {"service": service, "config": config, "logger": logging.getLogger("taskservice")}
    document = dump_json(load_spec())
    routes = [
        tornado.web.url(r"/tasks/?", TodoListHandler, args, name="/tasks"),
        tornado.web.url(r"/tasks/([^/]+)/?", TaskHandler, args, name="/tasks/{task_id}"),
        tornado.web.url(r"/healthz", HealthHandler, args, name="/healthz"),
        tornado.web.url(r"/openapi\.json", OpenApiHandler, args, name="/openapi.json"),
    ]
    return ServiceApplication(
        routes,
        # Route tags cost a little on every request: only when the service can be profiled.
        tag_routes=config.admin_debug or config.profiling_yappi,
        max_body_bytes=config.max_body_bytes,
        default_handler_class=NotFoundHandler,
        default_handler_args=args,
        log_function=log_request,
        inflight=InFlight(metrics.in_flight if metrics is not None else None),
        metrics=metrics,
        openapi_json=document,
        openapi_etag=f'"{hashlib.sha256(document).hexdigest()[:32]}"',
    )
