"""Task ids: 32 hex digits that sort by creation time."""

from __future__ import annotations

import os
import random
import re
import time
from typing import Final

TASK_ID: Final = re.compile(r"[0-9a-f]{32}")


def new_task_id() -> str:
    """A 32-hex-digit id: 48 bits of milliseconds then 80 random bits, so ids sort by creation."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


def new_request_id() -> str:
    """A 32-hex-digit request id shaped like a task id, made without a system call.

    Request ids need to be unique, not unguessable: Python's generator (seeded from the OS, and
    seeded again in a forked child) is enough, and costs no getrandom() per request.
    """
    return f"{time.time_ns() // 1_000_000:012x}{random.getrandbits(80):020x}"


def is_task_id(text: str) -> bool:
    """Whether text has the shape of a task id (anything else cannot exist, so skip the store)."""
    return TASK_ID.fullmatch(text) is not None
