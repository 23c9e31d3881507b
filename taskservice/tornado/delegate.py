"""ServiceDelegate: Tornado's per-request delegate, which still logs a request lost mid-body."""

from __future__ import annotations

import tornado.web


class ServiceDelegate(tornado.web._HandlerDelegate):
    """Tornado's delegate; a buffered request cut off before its body is whole is still logged.

    Tornado reads a buffered request's body before it makes the handler, so when the connection
    closes first (the client hung up, the body timed out, the server shut down) no handler would
    ever hear of the request. This delegate then makes one and tells it, so the request gets its
    canonical line as a streamed one does.
    """

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
