"""Route tags: every request runs under its route's tag (`GET /tasks/{id}`), for yappi."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Final

import tornado.web
from tornado import httputil

from taskservice.profiling import ROUTE_TAG, ROUTES
from taskservice.tornado.delegate import ServiceDelegate

UNMATCHED: Final = "(unmatched)"
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})


def route_name(method: str, handler_class: type[tornado.web.RequestHandler]) -> str:
    """ "METHOD /route/{template}"; a handler class names its template in ROUTE."""
    return f"{method} {getattr(handler_class, 'ROUTE', UNMATCHED)}"


class RouteTags:
    """The tag of each (handler class, method), made on first use."""

    def __init__(self) -> None:
        self._tags: dict[tuple[type[tornado.web.RequestHandler], str], int] = {}

    def tag(self, method: str, handler_class: type[tornado.web.RequestHandler]) -> int:
        """The tag for requests of this method to this handler class."""
        # Methods come from clients: all but the standard ones share one name, so they cannot
        # grow the table of tags.
        key = (handler_class, method if method in _METHODS else "OTHER")
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = ROUTES.tag(route_name(key[1], handler_class))
        return tag


class TaggedDelegate(ServiceDelegate):
    """Tornado's delegate for one request, run under the request's route tag.

    The tag is set around the calls that hand a request to its handler: the handler's task
    is created inside them and asyncio copies the tag into it, so the whole request, and
    nothing else, runs under it. The connection's own task (reading the next request head)
    keeps the loop's tag.
    """

    def __init__(self, tag: int, *args: Any) -> None:
        super().__init__(*args)
        self.tag = tag

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        token = ROUTE_TAG.set(self.tag)
        try:
            return super().headers_received(start_line, headers)
        finally:
            ROUTE_TAG.reset(token)

    def data_received(self, data: bytes) -> Awaitable[None] | None:
        token = ROUTE_TAG.set(self.tag)
        try:
            return super().data_received(data)
        finally:
            ROUTE_TAG.reset(token)

    def finish(self) -> None:
        token = ROUTE_TAG.set(self.tag)
        try:
            super().finish()
        finally:
            ROUTE_TAG.reset(token)

    def on_connection_close(self) -> None:
        token = ROUTE_TAG.set(self.tag)
        try:
            super().on_connection_close()
        finally:
            ROUTE_TAG.reset(token)
