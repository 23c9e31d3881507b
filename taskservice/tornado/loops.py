"""The event loop the server runs on: asyncio's own, or uvloop (`--loop uvloop`).

`auto`, the default, picks uvloop for the llhttp transport when it is installed and asyncio's
own loop otherwise (and for Tornado's server, which is kept exactly as it always ran).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from typing import Final

LOOPS: Final = ("auto", "asyncio", "uvloop")


class LoopMissing(Exception):
    """The chosen event loop cannot be imported; str() is one line for the operator."""


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """What asyncio.Runner should make its loop with (None: asyncio's default)."""
    if name == "asyncio":
        return None
    if name != "uvloop":
        raise ValueError(f"unknown event loop {name!r} (expected asyncio or uvloop)")
    try:
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        raise LoopMissing("uvloop is not installed (pip install uvloop)") from None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def choose_loop(name: str, http: str) -> tuple[str, str | None]:
    """The loop for the `loop` setting and the transport, and a note when `auto` fell back."""
    if name != "auto":
        return name, None
    if http != "llhttp":
        return "asyncio", None
    try:
        importlib.import_module("uvloop")
    except ImportError:
        return "asyncio", "uvloop is not installed: the llhttp transport runs on asyncio's loop"
    return "uvloop", None
