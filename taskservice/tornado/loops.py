"""The event loop the server runs on: asyncio's own, or uvloop (`--loop uvloop`)."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from typing import Final

LOOPS: Final = ("asyncio", "uvloop")


class LoopMissing(Exception):
    """The chosen event loop cannot be imported; str() is one line for the operator."""


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """What asyncio.Runner should make its loop with (None: asyncio's default)."""
    if name == "asyncio":
        return None
    if name != "uvloop":
        raise ValueError(f"unknown event loop {name!r} (expected one of {', '.join(LOOPS)})")
    try:
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        raise LoopMissing("uvloop is not installed (pip install uvloop)") from None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory
