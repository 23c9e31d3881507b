"""YappiSession: start and stop yappi, one run at a time in the process, tagged by route."""

from __future__ import annotations

import threading
from typing import Any, Final

from taskservice.profiling.stats import CLOCKS, ProfileStats, capture
from taskservice.profiling.tags import ROUTES, RouteTags, current_tag


class ProfilerBusy(RuntimeError):
    """yappi is already recording (a whole-run profile, or another on-demand one)."""


class ProfilerMissing(RuntimeError):
    """yappi is not installed: the message says how to install it."""


def load_yappi() -> Any:
    """The yappi module, imported on first use: a service that never profiles needs no yappi."""
    try:
        import yappi
    except ImportError:
        raise ProfilerMissing(
            "yappi is not installed: install the profile extra (pip install '.[profile]')"
        ) from None
    return yappi


# yappi is one per process: so is the right to start it.
_RUNNING: Final = threading.Lock()


class YappiSession:
    """One yappi recording: start(clock), then stop() for its stats."""

    def __init__(self, tags: RouteTags = ROUTES) -> None:
        self.tags = tags
        self.clock: str | None = None

    @property
    def running(self) -> bool:
        """Whether this session is recording."""
        return self.clock is not None

    def start(self, clock: str) -> None:
        """Start recording with the wall or cpu clock; ProfilerBusy if yappi is taken."""
        if clock not in CLOCKS:
            raise ValueError(f"clock must be one of {', '.join(CLOCKS)}, got {clock!r}")
        yappi = load_yappi()
        if not _RUNNING.acquire(blocking=False):
            raise ProfilerBusy("a yappi profile is already running in this process")
        try:
            if yappi.is_running():  # started by someone else, outside any session
                raise ProfilerBusy("yappi is already running in this process")
            yappi.clear_stats()
            yappi.set_clock_type(clock)
            yappi.set_tag_callback(current_tag)
            # builtins=False: C calls (sqlite3's execute, select) count as their caller's own
            # time, rather than each paying for a trace event of its own.
            yappi.start(builtins=False, profile_threads=True)
        except BaseException:
            _RUNNING.release()
            raise
        self.clock = clock

    def stop(self, merged: bool = True) -> ProfileStats:
        """Stop recording and return what was recorded; yappi's own tables are then cleared.

        Any thread may call it; reading yappi's tables takes a while (0.1 s or more for a busy
        service), so a server calls it off its event loop. merged: see stats.capture.
        """
        if self.clock is None:
            raise RuntimeError("this yappi session is not running")
        clock, self.clock = self.clock, None
        yappi = load_yappi()
        try:
            yappi.stop()
            return capture(clock, self.tags, merged)
        finally:
            yappi.clear_stats()
            yappi.set_tag_callback(None)
            _RUNNING.release()
