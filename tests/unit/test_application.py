"""Which requests take Tornado's streaming path, and the buffered twins of handler classes."""

from __future__ import annotations

import pytest
import tornado.web
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from taskservice.tornado.app import TaskHandler, TodoListHandler
from taskservice.tornado.application import buffered, reads_whole


def request(*headers: tuple[str, str]) -> HTTPServerRequest:
    head = HTTPHeaders({"Host": "127.0.0.1"})
    for name, value in headers:
        head.add(name, value)
    start = RequestStartLine("GET", "/tasks", "HTTP/1.1")
    return HTTPServerRequest(start_line=start, headers=head)


LIMIT = 100


@pytest.mark.parametrize(
    "headers",
    [
        (),
        (("Content-Length", "0"),),
        (("Accept", "*/*"),),
        (("Content-Length", "5"), ("Content-Type", "application/json")),
        (("Content-Length", "00"),),
        (("Content-Length", str(LIMIT)),),
    ],
)
def test_a_request_without_a_body_or_with_a_plain_length_within_the_limit_is_read_whole(
    headers: tuple[tuple[str, str], ...],
) -> None:
    assert reads_whole(request(*headers), LIMIT)


@pytest.mark.parametrize(
    "headers",
    [
        (("Content-Length", str(LIMIT + 1)),),
        (("Content-Length", "abc"),),
        (("Content-Length", "-1"),),
        (("Content-Length", "1" * 11),),
        (("Content-Length", "0"), ("Content-Length", "0")),
        (("Transfer-Encoding", "chunked"),),
        (("Content-Length", "5"), ("Transfer-Encoding", "chunked")),
        (("Content-Length", "5"), ("Content-Type", "application/x-www-form-urlencoded")),
        (("Content-Length", "5"), ("Content-Type", "Multipart/Form-Data; boundary=x")),
    ],
)
def test_a_request_whose_body_must_be_checked_or_would_be_parsed_as_a_form_streams(
    headers: tuple[tuple[str, str], ...],
) -> None:
    assert not reads_whole(request(*headers), LIMIT)


def test_the_buffered_twin_does_not_stream_and_keeps_the_class_identity() -> None:
    twin = buffered(TaskHandler)
    assert TaskHandler._stream_request_body
    assert not twin._stream_request_body
    assert issubclass(twin, TaskHandler)
    assert (twin.__name__, twin.__qualname__, twin.__module__) == (
        "TaskHandler",
        "TaskHandler",
        "taskservice.tornado.app",
    )
    assert twin.ROUTE == TaskHandler.ROUTE


def test_each_class_has_one_twin() -> None:
    assert buffered(TodoListHandler) is buffered(TodoListHandler)
    assert buffered(TodoListHandler) is not buffered(TaskHandler)


def test_a_class_that_never_streams_is_its_own_twin() -> None:
    assert buffered(tornado.web.RequestHandler) is tornado.web.RequestHandler
