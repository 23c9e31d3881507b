"""Canonical lines kept in memory and appended to their file in one write every 20 ms."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from taskservice.utils.logutils import logfmt

_FLUSH_S = 0.02  # log lines wait at most this long in memory


class LogLines:
    """The log file, and the lines waiting for its next write."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._lines: list[str] = []
        self._second = -1
        self._stamp = ""

    def add(self, fields: dict[str, object]) -> None:
        """Queue one line, stamped as the service's `%(asctime)s` does."""
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        millis = int((now - second) * 1000)
        self._lines.append(f"{self._stamp},{millis:03d} minimal INFO : {logfmt(fields.items())}")
        if len(self._lines) == 1:
            asyncio.get_running_loop().call_later(_FLUSH_S, self.flush)

    def flush(self) -> None:
        """Append every queued line to the file."""
        if self._lines:
            data = "\n".join(self._lines) + "\n"
            self._lines.clear()
            os.write(self._fd, data.encode())

    def close(self) -> None:
        """Flush, then close the file."""
        self.flush()
        os.close(self._fd)
