"""ServiceApplication: Tornado's Application, with two savings on every request and route tags.

- A request that sends no body, or a plain Content-Length within the body limit, goes to a
  buffered twin of its handler class, so Tornado does not take the streaming path (which costs
  two more turns of the event loop per request) where nothing needs streaming. Bodies of unknown
  or excessive size, and malformed framing, still stream, so the handler checks them up front.
- Requests run under their route's tag (for yappi) only when the service can be profiled at all.
"""

from __future__ import annotations

import re
from typing import Any, Final

import tornado.web
from tornado import httputil

from taskservice.tornado.delegate import ServiceDelegate
from taskservice.tornado.headers import field_lines, has_field
from taskservice.tornado.request import ServiceRouting
from taskservice.tornado.tagging import RouteTags, TaggedDelegate

_buffered: dict[type[tornado.web.RequestHandler], type[tornado.web.RequestHandler]] = {}
_PLAIN_LENGTH: Final = re.compile(r"[0-9]{1,10}")
# Tornado parses these bodies into arguments when it reads a request whole; ours never need it.
_FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


def reads_whole(request: httputil.HTTPServerRequest, max_body_bytes: int) -> bool:
    """Whether Tornado may read the request whole before its handler runs.

    True for no body at all, or one plain Content-Length of at most `max_body_bytes` and no form
    type for Tornado to parse. Anything else (chunked, too large, a malformed or repeated length)
    takes the streaming path, whose checks answer it.
    """
    headers = request.headers
    if has_field(headers, "Transfer-Encoding"):
        return False
    content_type = field_lines(headers, "Content-Type")
    if content_type and ",".join(content_type).lower().startswith(_FORM_TYPES):
        return False
    lengths = field_lines(headers, "Content-Length")
    if not lengths:
        return True
    length = ",".join(lengths)
    return _PLAIN_LENGTH.fullmatch(length) is not None and int(length) <= max_body_bytes


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
    """An Application that streams only bodies it must check, and can tag routes for yappi."""

    def __init__(
        self, *args: Any, max_body_bytes: int, tag_routes: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_body_bytes = max_body_bytes
        self.route_tags = RouteTags() if tag_routes else None

    def start_request(
        self, server_conn: object, request_conn: httputil.HTTPConnection
    ) -> httputil.HTTPMessageDelegate:
        """Tornado's routing delegate, making each request a ServiceRequest (request.py)."""
        return ServiceRouting(self, server_conn, request_conn)

    def find_handler(
        self, request: httputil.HTTPServerRequest, **kwargs: Any
    ) -> tornado.web._HandlerDelegate:
        """Tornado's routing, without passing through its two routers' layers on every request.

        The first handler rule whose path matches, else the default handler, as Tornado finds
        them; anything this does not cover (host-specific rules, targets that are not handler
        classes) goes through Tornado's own find_handler.
        """
        outer = self.default_router.rules
        if len(outer) != 1 or outer[0].target is not self.wildcard_router:
            return super().find_handler(request, **kwargs)
        for rule in self.wildcard_router.rules:
            params = rule.matcher.match(request)
            if params is None:
                continue
            target = rule.target
            if not (isinstance(target, type) and issubclass(target, tornado.web.RequestHandler)):
                return super().find_handler(request, **kwargs)
            if rule.target_kwargs:
                params["target_kwargs"] = rule.target_kwargs
            return self.get_handler_delegate(request, target, **params)
        default = self.settings.get("default_handler_class")
        if default:
            args = self.settings.get("default_handler_args", {})
            return self.get_handler_delegate(request, default, args)
        return self.get_handler_delegate(request, tornado.web.ErrorHandler, {"status_code": 404})

    def get_handler_delegate(
        self,
        request: httputil.HTTPServerRequest,
        target_class: type[tornado.web.RequestHandler],
        target_kwargs: dict[str, Any] | None = None,
        path_args: list[bytes] | None = None,
        path_kwargs: dict[str, bytes] | None = None,
    ) -> tornado.web._HandlerDelegate:
        whole = reads_whole(request, self.max_body_bytes)
        handler_class = buffered(target_class) if whole else target_class
        args = (self, request, handler_class, target_kwargs, path_args, path_kwargs)
        if self.route_tags is None:
            return ServiceDelegate(*args)
        tag = self.route_tags.tag(request.method or "", target_class)
        return TaggedDelegate(tag, *args)
