"""describe_tasks: every asyncio task of the loop, with the chain of awaits it is stuck in."""

from __future__ import annotations

import asyncio
from types import FrameType
from typing import Any, Final

from taskservice.profiling.stats import short_path

_MAX_CHAIN: Final = 100
_MAX_REPR: Final = 200


def describe_tasks() -> list[dict[str, Any]]:
    """The running loop's tasks by name: name, coroutine, state, awaited object and stack."""
    tasks = sorted(asyncio.all_tasks(), key=lambda t: t.get_name())
    return [describe_task(task) for task in tasks]


def describe_task(task: asyncio.Task[Any]) -> dict[str, Any]:
    """One task: its stack runs from the coroutine it started with to the innermost await."""
    coro = task.get_coro()
    frames, awaiting = _await_chain(coro)
    if task.done():
        state = "cancelled" if task.cancelled() else "done"
    else:
        state = "cancelling" if task.cancelling() else "pending"
    return {
        "name": task.get_name(),
        "coroutine": getattr(coro, "__qualname__", type(coro).__name__),
        "state": state,
        "awaiting": awaiting,
        "stack": [_frame(f) for f in frames],
    }


def _await_chain(coro: object) -> tuple[list[FrameType], str | None]:
    # Task.get_stack() shows one frame of a suspended coroutine; the await chain shows where
    # it really waits (the handler, the service, the store call, then a future).
    frames: list[FrameType] = []
    current: object = coro
    for _ in range(_MAX_CHAIN):
        frame = getattr(current, "cr_frame", None) or getattr(current, "gi_frame", None)
        if frame is None:
            break
        frames.append(frame)
        awaited = getattr(current, "cr_await", None) or getattr(current, "gi_yieldfrom", None)
        if awaited is None:
            return frames, None
        current = awaited
    if current is coro or not frames:
        return frames, None
    text = repr(current)
    return frames, text if len(text) <= _MAX_REPR else text[:_MAX_REPR] + "..."


def _frame(frame: FrameType) -> str:
    code = frame.f_code
    return f"{code.co_qualname} ({short_path(code.co_filename)}:{frame.f_lineno})"
