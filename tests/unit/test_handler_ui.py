"""BaseHandler builds Tornado's template namespace (`ui`) only when asked, as Tornado builds it."""

from __future__ import annotations

from unittest.mock import MagicMock

import tornado.web
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from taskservice.config import Config
from taskservice.tornado.basehandler import BaseHandler


def shout(handler: tornado.web.RequestHandler, text: str) -> str:
    return text.upper()


def make_handler() -> BaseHandler:
    app = tornado.web.Application(ui_methods={"shout": shout}, inflight=MagicMock())
    start = RequestStartLine("GET", "/x", "HTTP/1.1")
    headers = HTTPHeaders({"Host": "127.0.0.1"})
    request = HTTPServerRequest(start_line=start, headers=headers, connection=MagicMock())
    return BaseHandler(app, request, service=MagicMock(), config=Config(), logger=MagicMock())


def test_ui_holds_tornados_methods_and_modules_when_asked_for() -> None:
    handler = make_handler()
    assert "_ui" not in vars(handler)  # nothing built per request
    ui = handler.ui
    assert ui["shout"]("hi") == "HI"
    assert ui["modules"] is ui["_tt_modules"]
    assert handler.ui is ui  # built once


def test_ui_can_be_cleared_as_tornado_does_after_finishing() -> None:
    handler = make_handler()
    handler._break_cycles()
    assert handler.ui is None
