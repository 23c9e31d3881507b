"""ServiceRequest holds what Tornado's HTTPServerRequest holds for one head, errors included."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from tornado import httputil

from taskservice.tornado.request import ServiceRequest

ATTRIBUTES = (
    "method",
    "uri",
    "version",
    "path",
    "query",
    "arguments",
    "query_arguments",
    "body_arguments",
    "host",
    "host_name",
    "remote_ip",
    "protocol",
)


def head(uri: str, **fields: str) -> tuple[httputil.RequestStartLine, httputil.HTTPHeaders]:
    headers = httputil.HTTPHeaders({"Host": "127.0.0.1:8080", **fields})
    return httputil.RequestStartLine("GET", uri, "HTTP/1.1"), headers


def both(uri: str, **fields: str) -> tuple[httputil.HTTPServerRequest, ServiceRequest]:
    start_line, headers = head(uri, **fields)
    connection = MagicMock()
    theirs = httputil.HTTPServerRequest(
        connection=connection, server_connection=None, start_line=start_line, headers=headers
    )
    ours = ServiceRequest.make(start_line, headers, connection, None)
    return theirs, ours


@pytest.mark.parametrize(
    "uri",
    [
        "/tasks",
        "/tasks?",
        "/tasks?limit=10",
        "/tasks?limit=10&after=abc&limit=2",
        "/tasks?a&b=&=c&%ff=%e2%98%83",
        "/tasks/x?y=1?z=2",
        "/t%20asks?q=a+b",
    ],
)
def test_the_request_holds_what_tornados_holds(uri: str) -> None:
    theirs, ours = both(uri)
    for name in ATTRIBUTES:
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.query_arguments is not ours.arguments
    for name, values in ours.arguments.items():
        assert ours.query_arguments[name] is not values  # copies: parsing a body extends these


def test_a_bad_host_is_refused_before_the_query_as_tornado_does() -> None:
    start_line, headers = head("/tasks?limit=1", Host="a,b")
    with pytest.raises(httputil.HTTPInputError, match="Multiple host headers"):
        ServiceRequest.make(start_line, headers, MagicMock(), None)


def test_too_many_query_fields_are_refused_with_tornados_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = httputil.ParseBodyConfig()
    config.urlencoded.max_arguments = 2
    monkeypatch.setattr(httputil, "_DEFAULT_PARSE_BODY_CONFIG", config)
    start_line, headers = head("/tasks?a=1&b=2&c=3")
    with pytest.raises(httputil.HTTPInputError) as theirs:
        httputil.HTTPServerRequest(connection=MagicMock(), start_line=start_line, headers=headers)
    with pytest.raises(httputil.HTTPInputError) as ours:
        ServiceRequest.make(start_line, headers, MagicMock(), None)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"Content-Type": "application/json"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip"},
    ],
)
def test_the_body_is_parsed_as_tornado_parses_it(fields: dict[str, str]) -> None:
    theirs, ours = both("/tasks?x=1", **fields)
    outcomes: list[object] = []
    for request in (theirs, ours):
        request.body = b"x=2&y=3"
        try:
            request._parse_body()
            outcomes.append((request.arguments, request.body_arguments, request.query_arguments))
        except httputil.HTTPInputError as e:
            outcomes.append(str(e))
    assert outcomes[0] == outcomes[1]
