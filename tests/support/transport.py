"""What differs between the two transports, in one place: the differences README names."""

from __future__ import annotations

from functools import cache

import httptools


@cache
def llhttp_knows(method: str) -> bool:
    """Whether llhttp parses `method` (it knows a fixed set; Tornado's server passes any token)."""
    parser = httptools.HttpRequestParser(object())
    try:
        parser.feed_data(method.encode("latin-1") + b" / HTTP/1.1\r\n")
    except httptools.HttpParserInvalidMethodError:
        return False
    return True


def method_status(transport: str, method: str, status: int) -> int:
    """The status a request with `method` gets: 400 from llhttp for a method it does not know,
    where Tornado's server hands the request to the app (which answers `status`)."""
    if transport == "llhttp" and not llhttp_knows(method):
        return 400
    return status
