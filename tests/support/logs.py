"""Capture what the service logs, as records and as formatted lines."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class ListHandler(logging.Handler):
    """Keeps every record it is handed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self, message: str) -> list[str]:
        """The rendered lines whose message=... is the given one."""
        lines = [r.getMessage() for r in self.records]
        return [line for line in lines if f" message={message}" in f" {line}"]


@contextmanager
def captured(name: str = "taskservice", level: int = logging.DEBUG) -> Iterator[ListHandler]:
    """Attach a ListHandler to a logger for the duration of a with block."""
    logger = logging.getLogger(name)
    handler = ListHandler()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
