"""ResponseHeaders and the request-header lookups answer exactly as Tornado's HTTPHeaders does."""

from __future__ import annotations

import pytest
from tornado.httputil import HTTPHeaders

from taskservice.tornado.headers import ResponseHeaders, field_lines, has_field

FIELDS = {"Content-Type": "text/html; charset=UTF-8", "X-Request-Id": "abc", "Etag": '"v1"'}


def both() -> tuple[HTTPHeaders, ResponseHeaders]:
    return HTTPHeaders(FIELDS), ResponseHeaders.of(FIELDS)


def test_of_holds_the_fields_in_order() -> None:
    tornado_headers, ours = both()
    assert list(ours.get_all()) == list(tornado_headers.get_all())
    assert isinstance(ours, HTTPHeaders)


@pytest.mark.parametrize("name", ["Content-Type", "content-type", "ETAG", "x-request-id", "Nope"])
def test_lookups_match_tornado_in_any_case(name: str) -> None:
    tornado_headers, ours = both()
    assert (name in ours) == (name in tornado_headers)
    assert ours.get(name) == tornado_headers.get(name)
    assert ours.get(name, "fallback") == tornado_headers.get(name, "fallback")
    assert ours.get_list(name) == tornado_headers.get_list(name)
    if name in tornado_headers:
        assert ours[name] == tornado_headers[name]
    else:
        with pytest.raises(KeyError):
            ours[name]


def test_set_add_and_delete_match_tornado() -> None:
    tornado_headers, ours = both()
    for headers in (tornado_headers, ours):
        headers["content-length"] = "12"
        headers.add("Set-Cookie", "a=1")
        headers.add("set-cookie", "b=2")
        headers["etag"] = '"v2"'
        del headers["CONTENT-TYPE"]
    assert list(ours.get_all()) == list(tornado_headers.get_all())
    assert ours["Set-Cookie"] == "a=1,b=2"
    not_a_name: object = 1
    assert not_a_name not in ours
    with pytest.raises(KeyError):
        del ours["Content-Type"]


def test_request_lookups_take_the_cased_name() -> None:
    headers = HTTPHeaders()
    headers.add("x-request-id", "one")
    headers.add("X-Request-ID", "two")
    assert field_lines(headers, "X-Request-Id") == ["one", "two"]
    assert field_lines(headers, "Content-Length") == []
    assert has_field(headers, "X-Request-Id")
    assert not has_field(headers, "Content-Length")
