"""Requests the transport refuses itself (malformed, head too large): JSON error and log line."""

from __future__ import annotations

import http.client
import logging
import time
from dataclasses import dataclass
from typing import Final

from taskservice.datamodel import dump_json
from taskservice.ids import new_request_id
from taskservice.tornado.httpdate import http_date
from taskservice.utils.logutils import log_response

_logger: Final = logging.getLogger("taskservice")


@dataclass(frozen=True)
class Refusal:
    """A request that never reaches a handler: what to answer, and why."""

    status: int
    reason: str  # for the log line and the JSON message
    method: str | None  # None: the request line itself was unreadable
    uri: str | None
    started: float  # time.time() when its first byte was parsed

    def response(self, request_id: str) -> bytes:
        """The whole answer: the API's JSON error, and a close."""
        body = dump_json(
            {
                "method": self.method,
                "uri": self.uri,
                "code": self.status,
                "message": self.reason,
            }
        )
        phrase = http.client.responses.get(self.status, "Bad Request")
        head = (
            f"HTTP/1.1 {self.status} {phrase}\r\n"
            "Content-Type: application/json; charset=UTF-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Date: {http_date()}\r\n"
            f"X-Request-ID: {request_id}\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode("latin-1") + body

    def log(self, request_id: str, ip: str | None) -> None:
        """The canonical RESPONSE line, as a handler logs a request it refuses."""
        context = {"req_id": request_id, "method": self.method, "uri": self.uri, "ip": ip}
        ms = 1000.0 * (time.time() - self.started)
        error = f"malformed request: {self.reason}" if self.status == 400 else self.reason
        log_response(_logger, context, self.status, ms, error=error)

    def answer(self, ip: str | None) -> bytes:
        """Log the refusal and return the bytes to send before closing."""
        request_id = new_request_id()
        self.log(request_id, ip)
        return self.response(request_id)
