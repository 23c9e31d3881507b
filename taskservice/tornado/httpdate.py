"""The HTTP Date header's value, formatted once a second instead of once per response."""

from __future__ import annotations

import email.utils
import time

_cached: tuple[int, str] = (-1, "")


def http_date(now: float | None = None) -> str:
    """The current time (or `now`) as an HTTP date: `Sat, 28 Nov 2026 07:40:00 GMT`."""
    global _cached
    second = int(time.time() if now is None else now)
    if _cached[0] != second:
        _cached = (second, email.utils.formatdate(second, usegmt=True))
    return _cached[1]
