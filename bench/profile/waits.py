"""Frames that mean a thread is waiting, not working, and how much of a picture they hold.

py-spy's own idle detection needs to match OS threads to Python ones, which fails on some
machines; then a waiting thread is sampled as if it ran. These are the waits the service's
threads sit in, as the innermost Python frame shows them (the C call under it, such as
`SimpleQueue.get`, has no frame of its own).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

WAITS: Final = frozenset({
    "Condition.wait (threading.py)",
    "Event.wait (threading.py)",
    "Semaphore.acquire (threading.py)",
    "Thread._wait_for_tstate_lock (threading.py)",
    "Thread.join (threading.py)",
    "Queue.get (queue.py)",
    "_worker (concurrent/futures/thread.py)",
    "EpollSelector.select (selectors.py)",
    "select (selectors.py)",
    "LogListener._monitor (taskservice/utils/logqueue.py)",
    "SqliteWriter._serve (taskservice/store/sqlite_writer.py)",
})  # fmt: skip
"""Innermost frames (py-spy's `function (file)`, without line numbers) of a waiting thread."""


def is_waiting(stack: str) -> bool:
    """Whether the innermost frame of `stack` is a known wait."""
    return stack.rsplit(";", 1)[-1].strip() in WAITS


def waiting_share(stacks: Mapping[str, int]) -> float:
    """The share of the picture's samples whose innermost frame is a known wait."""
    whole = sum(stacks.values())
    waiting = sum(count for stack, count in stacks.items() if is_waiting(stack))
    return waiting / whole if whole else 0.0
