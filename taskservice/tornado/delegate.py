"""ServiceDelegate: Tornado's per-request delegate; in flight from the head, logged if lost."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import tornado.web
from tornado import httputil

from taskservice.tornado.inflight import InFlight


def _raise_unless_cancelled(done: asyncio.Future[None]) -> None:
    # Tornado's own callback on the handler's task: an escaped exception is raised (and logged
    # by the loop) rather than left unretrieved.
    if not done.cancelled():
        done.result()


def _reset_caches(settings: dict[str, Any]) -> None:
    """What Tornado's execute does first in debug mode: its template and static caches are off."""
    if not settings.get("compiled_template_cache", True):
        with tornado.web.RequestHandler._template_loader_lock:
            for loader in tornado.web.RequestHandler._template_loaders.values():
                loader.reset()
    if not settings.get("static_hash_cache", True):
        settings.get("static_handler_class", tornado.web.StaticFileHandler).reset()


class ServiceDelegate(tornado.web._HandlerDelegate):
    """Tornado's delegate; a request is in flight from its head, and logged even when lost.

    Tornado reads a buffered request's body before it makes the handler. The request is counted
    in flight from its head all the same (a drain waits for it), and its handler's task takes
    over the count. When the connection closes before the body is whole (the client hung up,
    the body timed out, the server shut down) no handler would ever hear of the request: this
    delegate then makes one and tells it, so the request gets its canonical line as a streamed
    one does.
    """

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        inflight = self._inflight
        if inflight is not None:
            inflight.arrived(self.request)
        try:
            return super().headers_received(start_line, headers)
        except BaseException:
            if inflight is not None:
                inflight.left(self.request)
            raise

    @property
    def _inflight(self) -> InFlight | None:
        inflight: InFlight | None = self.application.settings.get("inflight")
        return inflight

    def execute(self) -> Awaitable[None] | None:
        """Tornado's execute, with the handler's task made directly and counted in flight.

        gen.convert_yielded, which Tornado runs the handler's coroutine through, ends in
        asyncio.ensure_future after a singledispatch and two more calls.
        """
        settings = self.application.settings
        _reset_caches(settings)
        try:
            handler = self.handler = self.handler_class(
                self.application, self.request, **self.handler_kwargs
            )
            transforms = [t(self.request) for t in self.application.transforms]
            if self.stream_request_body:
                # Tornado declares the attribute as None and sets it just as here.
                handler._prepared_future = asyncio.Future()  # type: ignore[assignment]
            task = asyncio.ensure_future(
                handler._execute(transforms, *self.path_args, **self.path_kwargs)
            )
        except BaseException:
            inflight = self._inflight
            if inflight is not None:
                inflight.left(self.request)
            raise
        task.add_done_callback(_raise_unless_cancelled)
        inflight = self._inflight
        if inflight is not None:
            inflight.track(task, self.request)  # the task takes over the request's count
        return handler._prepared_future

    def on_connection_close(self) -> None:
        inflight = self._inflight
        if inflight is not None:
            inflight.left(self.request)  # no handler task came (else it has the count)
        if self.stream_request_body or hasattr(self, "handler") or self.chunks is None:
            super().on_connection_close()
            return
        received = len(self.chunks)
        super().on_connection_close()
        handler = self.handler_class(self.application, self.request, **self.handler_kwargs)
        lost = getattr(handler, "lost_before_body", None)
        if lost is not None:
            lost(received)
