"""Graceful drain on the first SIGTERM or SIGINT; an immediate exit on the second."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from typing import Protocol

from taskservice.store import Store
from taskservice.tornado.inflight import InFlight
from taskservice.utils.logutils import log_event

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_logger = logging.getLogger("taskservice")


class HTTPListener(Protocol):
    """What a drain needs of a transport: GuardedHTTPServer (Tornado's) and LLHTTPServer."""

    @property
    def busy_count(self) -> int: ...
    def add_sockets(self, sockets: list[socket.socket]) -> None: ...
    def stop(self) -> None: ...
    def close_idle(self) -> int: ...
    async def wait_quiet(self) -> None: ...
    async def close_all_connections(self) -> None: ...


async def drain(server: HTTPListener, inflight: InFlight, store: Store, grace_s: float) -> int:
    """Stop accepting, let requests in flight finish within grace_s, close all; count cut-offs."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    log_event(_logger, logging.INFO, "STOPPING", {}, in_flight=server.busy_count)
    inflight.draining = True  # answers from now on say Connection: close
    server.stop()  # no new connections
    idle_closed = server.close_idle()  # and busy ones are closed as soon as they answer
    try:
        async with asyncio.timeout(grace_s):
            await inflight.wait_idle()  # the handlers have finished...
            await server.wait_quiet()  # ...and their answers are written
    except TimeoutError:
        pass
    cut_off = server.busy_count
    inflight.closing = True  # the handlers cut off now log 503, not a client hang-up
    await server.close_all_connections()
    # A write still waiting on a database lock holds this up to the store's busy timeout (5 s).
    await store.close()
    drain_ms = round(1000 * (loop.time() - started), 1)
    fields = {"drained": cut_off == 0, "cut_off": cut_off, "idle_closed": idle_closed}
    log_event(_logger, logging.INFO, "STOPPED", {}, **fields, drain_ms=drain_ms)
    return cut_off


async def close_admin(server: HTTPListener, inflight: InFlight, grace_s: float = 2.0) -> None:
    """Close the admin listener after the drain: its requests (a profile) are cut off at once."""
    inflight.closing = True  # their log lines say the shutdown cut them off
    server.stop()
    server.close_idle()
    await server.close_all_connections()
    try:
        async with asyncio.timeout(grace_s):
            await inflight.wait_idle()  # a cut-off profile stops yappi on its way out
    except TimeoutError:
        pass


def exit_on_next_signal(loop: asyncio.AbstractEventLoop) -> None:
    """From now on SIGTERM or SIGINT ends the process at once, with exit code 128 + its number."""
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, _force_exit, sig)


def _force_exit(sig: signal.Signals) -> None:
    # The store is not closed: SQLite rolls back a write it was in the middle of when the file is
    # next opened, and every write already answered 201 is committed.
    log_event(_logger, logging.WARNING, "STOPPED", {}, forced=True, signal=sig.name)
    logging.shutdown()  # flush every handler: os._exit skips the interpreter's own clean-up
    os._exit(128 + sig)
