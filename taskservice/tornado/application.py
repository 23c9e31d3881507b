"""ServiceApplication: Tornado's Application, with two savings on every request and route tags.

- A request that sends no body goes to a buffered twin of its handler class, so Tornado does not
  take the streaming path (which costs two more turns of the event loop per request) where there
  is nothing to stream. Requests with a body still stream, so their size is checked up front.
- Requests run under their route's tag (for yappi) only when the service can be profiled at all.
"""

from __future__ import annotations

from typing import Any

import tornado.web
from tornado import httputil

from taskservice.tornado.tagging import RouteTags, TaggedDelegate

_buffered: dict[type[tornado.web.RequestHandler], type[tornado.web.RequestHandler]] = {}


def sends_no_body(request: httputil.HTTPServerRequest) -> bool:
    """Whether the request head promises no body at all (and no body type to parse).

    Anything else, a malformed length included, takes the streaming path, whose checks answer it.
    """
    headers = request.headers
    return (
        headers.get("Content-Length", "0") == "0"
        and "Transfer-Encoding" not in headers
        and "Content-Type" not in headers
    )


def buffered(handler_class: type[tornado.web.RequestHandler]) -> type[tornado.web.RequestHandler]:
    """The handler class without @stream_request_body (itself if it never streams)."""
    twin = _buffered.get(handler_class)
    if twin is None:
        if getattr(handler_class, "_stream_request_body", False):
            twin = type(handler_class.__name__, (handler_class,), {"_stream_request_body": False})
            twin.__qualname__ = handler_class.__qualname__
            twin.__module__ = handler_class.__module__
        else:
            twin = handler_class
        _buffered[handler_class] = twin
    return twin


class ServiceApplication(tornado.web.Application):
    """An Application that skips streaming for bodyless requests and can tag routes for yappi."""

    def __init__(self, *args: Any, tag_routes: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.route_tags = RouteTags() if tag_routes else None

    def get_handler_delegate(
        self,
        request: httputil.HTTPServerRequest,
        target_class: type[tornado.web.RequestHandler],
        target_kwargs: dict[str, Any] | None = None,
        path_args: list[bytes] | None = None,
        path_kwargs: dict[str, bytes] | None = None,
    ) -> tornado.web._HandlerDelegate:
        handler_class = buffered(target_class) if sends_no_body(request) else target_class
        args = (self, request, handler_class, target_kwargs, path_args, path_kwargs)
        if self.route_tags is None:
            return tornado.web._HandlerDelegate(*args)
        tag = self.route_tags.tag(request.method or "", target_class)
        return TaggedDelegate(tag, *args)
