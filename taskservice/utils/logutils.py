"""logfmt rendering (as go-logfmt does), a request-scoped log context, and the canonical line."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Mapping
from contextvars import ContextVar, Token
from functools import lru_cache
from types import FrameType, MappingProxyType
from typing import Final

from taskservice.utils import logexpress

# A value is quoted when it holds a space, '=', '"', a control character, a line separator or
# text that is not valid UTF-8 (in a Python str: an unpaired surrogate) or U+FFFD, which go-logfmt
# cannot tell from a decoding error. go-logfmt quotes on the same set except that it knows only the
# C0 controls; we also quote C1 controls, DEL and U+2028/9, because Python's str.splitlines() and
# some log viewers break lines on them.
_NEEDS_QUOTES: Final = re.compile('[\x00-\x20="\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffd]')


def _escape_table() -> dict[int, str]:
    table = {c: f"\\u{c:04x}" for c in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]}
    table.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n"})
    table.update({ord("\r"): "\\r", ord("\t"): "\\t"})
    table.update(dict.fromkeys(range(0xD800, 0xE000), "\\ufffd"))
    return table


_ESCAPES: Final = _escape_table()


def format_value(value: object) -> str:
    """Render one value: bare when safe, else quoted and escaped so it stays on one line."""
    if isinstance(value, str):
        text = value
    elif value is None:
        return "null"
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, int | float):
        return repr(value)
    elif isinstance(value, bytes | bytearray):
        text = bytes(value).decode("utf-8", "surrogateescape")
    else:
        text = str(value)
    if text == "null":
        return '"null"'  # keep a string "null" apart from a missing value
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.translate(_ESCAPES) + '"'


@lru_cache(maxsize=512)
def format_key(key: str) -> str:
    """Render a key; characters that a key may not hold become '_'."""
    return _NEEDS_QUOTES.sub("_", key) or "_"


def logfmt(pairs: Iterable[tuple[str, object]]) -> str:
    """Render key/value pairs as one logfmt line."""
    return " ".join([f"{format_key(k)}={format_value(v)}" for k, v in pairs])


def logfmt_fields(fields: Mapping[str, object]) -> str:
    """logfmt(fields.items()), checked in one pass when every key and value is plain text.

    A request's context (req_id, method, uri, ip) nearly always is: one search over all of it
    then stands in for a search and a few type checks per value.
    """
    values = fields.values()
    try:
        text = "".join(fields) + "".join(values)  # type: ignore[arg-type]
    except TypeError:  # a value that is not text: render it the general way
        return logfmt(fields.items())
    if _NEEDS_QUOTES.search(text) is None and "" not in fields and "null" not in values:
        return " ".join([f"{key}={value}" for key, value in fields.items()])
    return logfmt(fields.items())


def format_ms(ms: float) -> str:
    """repr(round(ms, 3)): milliseconds to the microsecond, in one float-to-text step, not three."""
    if not -1e15 < ms < 1e15:  # repr would use an exponent (or ms is not a number)
        return repr(round(ms, 3))
    text = f"{ms:.3f}".rstrip("0")
    return text + "0" if text[-1] == "." else text


# --- request-scoped context ------------------------------------------------------------------

REQUEST_CONTEXT: ContextVar[Mapping[str, object]] = ContextVar(
    "taskservice_request_context", default=MappingProxyType({})
)


def bind_context(**fields: object) -> Token[Mapping[str, object]]:
    """Add fields to the current request's log context (asyncio tasks each get their own copy)."""
    return REQUEST_CONTEXT.set({**REQUEST_CONTEXT.get(), **fields})


def bind_fields(fields: Mapping[str, object]) -> Token[Mapping[str, object]]:
    """bind_context(**fields) for a mapping its owner never changes again: an empty context
    takes it as it is, uncopied."""
    current = REQUEST_CONTEXT.get()
    return REQUEST_CONTEXT.set({**current, **fields} if current else fields)


def log_event(
    logger: logging.Logger,
    level: int,
    message: str,
    /,
    context: Mapping[str, object] | None = None,
    **fields: object,
) -> None:
    """Log one logfmt line: the request context, then message=..., then fields.

    The level is checked first, so a disabled level costs one comparison and no formatting.
    """
    if logger.isEnabledFor(level):
        ctx = REQUEST_CONTEXT.get() if context is None else context
        line = logfmt([("message", message), *fields.items()])
        if ctx:
            line = f"{logfmt_fields(ctx)} {line}"
        _handle(logger, level, line, sys._getframe(1))


def response_level(status: int) -> int:
    """INFO below 400, WARNING for 4xx, ERROR for 5xx."""
    if status >= 500:
        return logging.ERROR
    return logging.WARNING if status >= 400 else logging.INFO


def log_response(
    logger: logging.Logger,
    context: Mapping[str, object],
    status: int,
    time_ms: float,
    **fields: object,
) -> None:
    """Log the canonical RESPONSE line: context, message, status, time_ms, then non-None fields."""
    level = response_level(status)
    if not logger.isEnabledFor(level):
        return
    # The fixed part in one f-string: 2-3x cheaper than rendering it as generic pairs.
    line = f"message=RESPONSE status={format_value(status)} time_ms={format_ms(time_ms)}"
    if context:
        line = f"{logfmt_fields(context)} {line}"
    for key, value in fields.items():
        if value is not None:
            line = f"{line} {format_key(key)}={format_value(value)}"
    _handle(logger, level, line, sys._getframe(1))


def _handle(logger: logging.Logger, level: int, line: str, caller: FrameType) -> None:
    if logexpress.emit(logger, level, line, caller):
        return  # queued as text, with no LogRecord (see logexpress)
    # The caller's frame is known here, so Logger.findCaller's walk up the stack (a third of the
    # cost of logging a line) is skipped; file=, lineno= and function= still name the caller.
    code = caller.f_code
    record = logger.makeRecord(
        logger.name, level, code.co_filename, caller.f_lineno, line, (), None, code.co_name
    )
    logger.handle(record)
