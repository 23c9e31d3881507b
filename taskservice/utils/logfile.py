"""RotatingFile: a RotatingFileHandler that formats each record once and keeps count of the size."""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
from typing import Any


class RotatingFile(logging.handlers.RotatingFileHandler):
    """Rotates at maxBytes as RotatingFileHandler does, without a stat, seek and format per line.

    The stdlib handler formats every record twice (once to measure it, once to write it) and asks
    the file system twice whether the path is a regular file, then seeks to learn the size. This one
    formats once and adds up what it wrote, so the size is exact unless another process writes to
    the same file (rotation then comes late by what that process wrote).
    """

    # Flush after each record, as StreamHandler does; the log queue's listener turns this off and
    # flushes once per batch of records instead.
    flush_each: bool = True

    def __init__(self, filename: str, *args: Any, **kwargs: Any) -> None:
        self._size = 0
        self._regular = True
        super().__init__(filename, *args, **kwargs)

    def _open(self) -> Any:
        stream = super()._open()
        # Only a regular file rotates (bpo-45401): /dev/null or a pipe must never be renamed.
        info = os.fstat(stream.fileno())
        self._regular = stat.S_ISREG(info.st_mode)
        self._size = info.st_size
        return stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.write_line(self.format(record))
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def write_line(self, text: str) -> None:
        """Write one formatted line and its terminator, rotating first if it would not fit."""
        msg = text + self.terminator
        if self.stream is None:  # opened lazily (delay=True) or closed by a rollover
            self.stream = self._open()
        size = len(msg) if msg.isascii() else len(msg.encode(self.encoding or "utf-8"))
        if self._regular and 0 < self.maxBytes <= self._size + size and self._size > 0:
            self.doRollover()
            if self.stream is None:
                self.stream = self._open()
        self.stream.write(msg)
        self._size += size
        if self.flush_each:
            self.stream.flush()
