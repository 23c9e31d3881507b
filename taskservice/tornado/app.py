"""make_app(config, service): Tornado handlers that translate HTTP to service calls and back."""

from __future__ import annotations

import logging
from typing import Any

import tornado.web

from taskservice.config import Config
from taskservice.datamodel import task_from_json
from taskservice.service import TodoListService
from taskservice.tornado.basehandler import JSON_CONTENT_TYPE, BaseHandler
from taskservice.tornado.inflight import InFlight


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
    """`GET /healthz` (or `HEAD`, which many load balancers send): the process is up and serving."""

    def get(self) -> None:
        self.write_json({"status": "ok"})

    def head(self) -> None:
        self.set_header("Content-Type", JSON_CONTENT_TYPE)
        self.finish()


class _AnyMethod:
    def __contains__(self, method: object) -> bool:
        return True


class NotFoundHandler(BaseHandler):
    """Every path that no route matches: a JSON 404, whatever the method."""

    SUPPORTED_METHODS = _AnyMethod()  # type: ignore[assignment]

    def prepare(self) -> None:
        super().prepare()
        raise tornado.web.HTTPError(404, "no such endpoint: %s", self.request.path)


def _log_request(handler: tornado.web.RequestHandler) -> None:
    if isinstance(handler, BaseHandler):
        handler.log_response()


def make_app(config: Config, service: TodoListService) -> tornado.web.Application:
    """The Tornado application: routes, handlers and logging, wired to one service."""
    args = {"service": service, "config": config, "logger": logging.getLogger("taskservice")}
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
        inflight=InFlight(),
    )
