"""How a request's headers frame its body, judged exactly as Tornado's HTTP/1 reader judges it."""

from __future__ import annotations

import re
from typing import Final

from tornado.http1connection import is_transfer_encoding_chunked, parse_int
from tornado.httputil import HTTPHeaders, HTTPInputError

_LIST_SEPARATOR: Final = re.compile(r",[ \t]*")


def declared_body_length(headers: HTTPHeaders) -> int | None:
    """The Content-Length the headers declare, or None (no body, or chunked).

    Raises HTTPInputError for framing that Tornado will refuse once the handler has been created
    (both Content-Length and Transfer-Encoding, an unknown Transfer-Encoding, a Content-Length
    that is not a plain non-negative integer, or duplicates that differ).
    """
    is_transfer_encoding_chunked(headers)
    value = headers.get("Content-Length")
    if value is None:
        return None
    pieces = _LIST_SEPARATOR.split(value)
    if any(piece != pieces[0] for piece in pieces):
        raise HTTPInputError(f"unequal Content-Length values {value!r}")
    try:
        return parse_int(pieces[0])
    except ValueError:
        raise HTTPInputError(f"Content-Length is not an integer: {value[:40]!r}") from None
