"""ServiceDelegate: Tornado's per-request delegate, which still logs a request lost mid-body."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import tornado.web


def _raise_unless_cancelled(done: asyncio.Future[None]) -> None:
    # Tornado's own callback on the handler's task: an escaped exception is raised (and logged
    # by the loop) rather than left unretrieved.
    if not done.cancelled():
        done.result()


class ServiceDelegate(tornado.web._HandlerDelegate):
    """Tornado's delegate; a buffered request cut off before its body is whole is still logged.

    Tornado reads a buffered request's body before it makes the handler, so when the connection
    closes first (the client hung up, the body timed out, the server shut down) no handler would
    ever hear of the request. This delegate then makes one and tells it, so the request gets its
    canonical line as a streamed one does.
    """

    def execute(self) -> Awaitable[None] | None:
        """Tornado's execute, with the handler's task made directly.

        gen.convert_yielded, which Tornado runs the handler's coroutine through, ends in
        asyncio.ensure_future after a singledispatch and two more calls; in debug mode (template
        and static caches off) Tornado's own execute runs, as it resets them.
        """
        settings = self.application.settings
        if not (
            settings.get("compiled_template_cache", True)
            and settings.get("static_hash_cache", True)
        ):
            return super().execute()
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
        task.add_done_callback(_raise_unless_cancelled)
        return handler._prepared_future

    def on_connection_close(self) -> None:
        if self.stream_request_body or hasattr(self, "handler") or self.chunks is None:
            super().on_connection_close()
            return
        received = len(self.chunks)
        super().on_connection_close()
        handler = self.handler_class(self.application, self.request, **self.handler_kwargs)
        lost = getattr(handler, "lost_before_body", None)
        if lost is not None:
            lost(received)
