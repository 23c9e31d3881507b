"""RotatingFile: a RotatingFileHandler that formats each record once and keeps count of the size."""

from __future__ import annotations

import fcntl
import logging
import logging.handlers
import os
import stat
from typing import Any, Final

# How much of maxBytes this process writes between looks at the file itself, so that lines other
# processes append (several workers sharing one file) count toward the rotation too.
_LOOK_EVERY: Final = 16


class RotatingFile(logging.handlers.RotatingFileHandler):
    """Rotates at maxBytes as RotatingFileHandler does, without a stat, seek and format per line.

    The stdlib handler formats every record twice (once to measure it, once to write it) and asks
    the file system twice whether the path is a regular file, then seeks to learn the size. This one
    formats once and adds up what it wrote.

    Several processes may share one file (the workers of `--workers N`): each also looks at the
    file every maxBytes/16 of its own writing, for the size with everyone's lines and for a
    rotation another process has made (it then appends to the new file), and rotations take
    turns under an flock on the file's folder, so a full file is rotated once, not once per
    process.
    """

    # Flush after each record, as StreamHandler does; the log queue's listener turns this off and
    # flushes once per batch of records instead.
    flush_each: bool = True

    def __init__(self, filename: str, *args: Any, **kwargs: Any) -> None:
        self._size = 0
        self._regular = True
        self._next_look = 0
        super().__init__(filename, *args, **kwargs)

    def _open(self) -> Any:
        stream = super()._open()
        # Only a regular file rotates (bpo-45401): /dev/null or a pipe must never be renamed.
        info = os.fstat(stream.fileno())
        self._regular = stat.S_ISREG(info.st_mode)
        self._size = info.st_size
        # The first open runs inside the base class's __init__, before maxBytes is set: the
        # first line then looks at once.
        self._next_look = self._size + getattr(self, "maxBytes", 0) // _LOOK_EVERY
        return stream

    def _look(self) -> None:
        """Follow another process's rotation, and count its lines: the file's own size."""
        assert self.stream is not None
        self.stream.flush()
        mine = os.fstat(self.stream.fileno())
        try:
            there = os.stat(self.baseFilename)
        except FileNotFoundError:
            there = None  # renamed away, the new one not made yet: keep writing where we are
        if there is not None and (there.st_ino, there.st_dev) != (mine.st_ino, mine.st_dev):
            self.stream.close()
            self.stream = self._open()
            return
        self._size = mine.st_size
        self._next_look = self._size + self.maxBytes // _LOOK_EVERY

    def _rotate(self, size: int) -> None:
        """Rotate before writing `size` more bytes, unless another process just has."""
        # The lock is on the log's folder, which every process sharing the file has, and which
        # (unlike a lock file) adds nothing to it; closing the descriptor releases it.
        folder = os.open(os.path.dirname(self.baseFilename), os.O_RDONLY)
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            self._look()
            if self._size > 0 and self._size + size >= self.maxBytes:
                self.doRollover()
        finally:
            os.close(folder)

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
        if self._regular and self.maxBytes > 0:
            if self._size >= self._next_look:
                self._look()
            if self.maxBytes <= self._size + size and self._size > 0:
                self._rotate(size)
                if self.stream is None:
                    self.stream = self._open()
        self.stream.write(msg)
        self._size += size
        if self.flush_each:
            self.stream.flush()
