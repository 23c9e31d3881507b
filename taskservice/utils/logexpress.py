"""Express lines: the service's own log lines rendered to text at once, without a LogRecord.

Behind the log queue, the canonical line of every request used to cost a LogRecord, a walk
through Logger.handle, a Formatter pass and a handler call; on one core that was the largest
single cost after Tornado itself (docs/performance.md). When a logger's path to its files is plain
(no filters, stock Formatters with %-style formats over the fields below, file and stream
handlers), its lines are rendered here, once per distinct format, and queued as text in the same
queue and order as every other record. Anything else takes the ordinary logging path.
"""

from __future__ import annotations

import logging
import os
import re
import time
import weakref
from collections.abc import Callable
from functools import lru_cache
from types import FrameType
from typing import Any, Final

from taskservice.utils.logfile import RotatingFile
from taskservice.utils.logqueue import Lines, QueueRoute, flush, write_lines

# The LogRecord fields an express line can fill without building a record.
FIELDS: Final = frozenset(
    {"asctime", "created", "msecs", "name", "levelname", "levelno", "message"}
    | {"pathname", "filename", "module", "lineno", "funcName"}
)
_FIELD_NAMES: Final = re.compile(r"%\(([^)]*)\)")
_DEFAULT_FORMATTER: Final = logging.Formatter()  # what Handler.format uses when it has none


class Template:
    """A stock Formatter's output for express lines: `render(values)` is what format() writes."""

    def __init__(self, formatter: logging.Formatter, source: logging.Formatter | None) -> None:
        self.formatter = formatter
        self.source = source  # the handler's own formatter: None for logging's default
        self._fmt = formatter._fmt or "%(message)s"
        self.uses_time = "%(asctime)" in self._fmt
        self._stamp_key: tuple[int, str] = (-1, "")  # the second and format of _stamp
        self._stamp = ""

    @classmethod
    def of(cls, source: logging.Formatter | None) -> Template | None:
        """The template for a handler's formatter, or None if only the formatter can render it."""
        formatter = source or _DEFAULT_FORMATTER
        stock = type(formatter) is logging.Formatter
        stock = stock and type(formatter._style) is logging.PercentStyle
        if not stock or not set(_FIELD_NAMES.findall(formatter._fmt or "")) <= FIELDS:
            return None
        template = cls(formatter, source)
        return template if template.fits(source) else None

    def fits(self, source: logging.Formatter | None) -> bool:
        """Whether this still renders what `source`, a handler's formatter, would write.

        Checked for every line: a formatter's format, date format and clock (time.localtime,
        unless set, even on the class, to time.gmtime for UTC) can change at any time.
        """
        formatter = self.formatter
        return (
            source is self.source
            and formatter.datefmt is None
            and formatter.converter is time.localtime
            and (formatter._fmt or "%(message)s") == self._fmt
        )

    def asctime(self, created: float, msecs: float) -> str:
        """Formatter.formatTime's text, with the strftime done once a second."""
        key = (int(created), self.formatter.default_time_format)
        if key != self._stamp_key:
            self._stamp = time.strftime(key[1], time.localtime(created))
            self._stamp_key = key
        msec_format = self.formatter.default_msec_format
        return msec_format % (self._stamp, msecs) if msec_format else self._stamp

    def render(self, values: dict[str, object]) -> str:
        """The line, given every field but asctime."""
        if self.uses_time:
            values["asctime"] = self.asctime(values["created"], values["msecs"])  # type: ignore[arg-type]
        return self._fmt % values


Writer = Callable[[str], None]


def writer_for(handler: logging.Handler) -> Writer | None:
    """How a handler writes one rendered line (rotation included), or None if it cannot."""
    # Exact types only: a subclass may change what emit() writes.
    if type(handler) is RotatingFile:
        return handler.write_line
    if type(handler) is logging.StreamHandler:
        stream_handler: logging.StreamHandler[Any] = handler

        def write(text: str) -> None:
            stream_handler.stream.write(text + stream_handler.terminator)

        return write
    return None


@lru_cache(maxsize=256)
def _where(pathname: str) -> tuple[str, str]:
    filename = os.path.basename(pathname)
    return filename, os.path.splitext(filename)[0]


def _stamp() -> tuple[float, float]:
    # As LogRecord.__init__ does in Python 3.11 (gh-89047).
    created = time.time()
    return created, int((created - int(created)) * 1000) + 0.0


def values(
    logger: logging.Logger, level: int, message: str, caller: FrameType
) -> dict[str, object]:
    """The fields a record made now by `caller` would carry (those in FIELDS)."""
    created, msecs = _stamp()
    code = caller.f_code
    filename, module = _where(code.co_filename)
    return {
        "created": created,
        "msecs": msecs,
        "name": logger.name,
        "levelname": logging.getLevelName(level),
        "levelno": level,
        "message": message,
        "pathname": code.co_filename,
        "filename": filename,
        "module": module,
        "lineno": caller.f_lineno,
        "funcName": code.co_name,
    }


Plan = tuple[tuple[logging.Handler, Template, Writer], ...]
# Weak: a route replaced by a new logging config must not live on here with its handlers.
_plans: weakref.WeakKeyDictionary[QueueRoute, Plan | None] = weakref.WeakKeyDictionary()
_UNKNOWN: Final = object()


def plan_for(route: QueueRoute) -> Plan | None:
    """Each target handler of a queue route with its template and writer; None if any has none."""
    cached = _plans.get(route, _UNKNOWN)
    if cached is None:
        return None
    if cached is not _UNKNOWN:
        plan: Plan = cached  # type: ignore[assignment]
        for handler, template, _ in plan:
            if handler.filters or not template.fits(handler.formatter):
                break
        else:
            return plan
    steps = []
    for handler in route.targets:
        made = None if handler.filters else Template.of(handler.formatter)
        writer = writer_for(handler)
        if made is None or writer is None:
            _plans[route] = None
            return None
        steps.append((handler, made, writer))
    _plans[route] = plan = tuple(steps)
    return plan


def emit(logger: logging.Logger, level: int, message: str, caller: FrameType) -> bool:
    """Queue `message` as the lines its logger's handlers would write; False to log it normally.

    The caller has checked the level. False whenever anything on the way (a filter, a custom
    logger, record factory or formatter, a handler not behind the log queue) could change what
    is written, so the ordinary path decides.
    """
    if logger.filters or logger.disabled or type(logger) not in _PLAIN_LOGGERS:
        return False
    if logging.getLogRecordFactory() is not logging.LogRecord:
        return False
    writes: list[tuple[logging.Handler, Writer, str]] = []
    fields: dict[str, object] | None = None
    listener = None
    current: logging.Logger | None = logger
    while current is not None:  # as Logger.callHandlers walks the hierarchy
        handlers = current.handlers
        if handlers:
            route = handlers[0]
            if len(handlers) != 1 or type(route) is not QueueRoute or route.filters:
                return False
            plan = plan_for(route)
            if plan is None or (listener is not None and route.listener is not listener):
                return False
            listener = route.listener
            if level >= route.level:
                for handler, template, write in plan:
                    if level >= handler.level:
                        fields = fields or values(logger, level, message, caller)
                        writes.append((handler, write, template.render(fields)))
        current = current.parent if current.propagate else None
    if listener is None:
        return False  # no handler anywhere: logging's last resort decides
    if writes:
        lines = Lines(tuple(writes))
        if not listener.put(lines):  # stopped at shutdown: write here and now
            flush(write_lines(lines))
    return True


_PLAIN_LOGGERS: Final = (logging.Logger, logging.RootLogger)
