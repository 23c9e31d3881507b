"""The admin listener's debug endpoints: `GET /debug/profile` and `GET /debug/tasks`."""

from __future__ import annotations

import asyncio
import contextlib

import tornado.web

from taskservice.profiling import ProfilerBusy, ProfilerMissing, YappiSession
from taskservice.profiling.asynctasks import describe_tasks
from taskservice.profiling.output import profile_bytes
from taskservice.profiling.query import parse_profile_query
from taskservice.tornado.basehandler import BaseHandler

_TYPES = {"svg": "image/svg+xml", "pstat": "application/octet-stream"}


class ProfileHandler(BaseHandler):
    """`GET /debug/profile?seconds=N&clock=cpu|wall&format=svg|pstat`: profile the live service.

    Requests keep being served while yappi records; one profile runs at a time (409 else).
    """

    ROUTE = "/debug/profile"
    _gone: asyncio.Event | None = None

    async def get(self) -> None:
        query = parse_profile_query(self.request.query_arguments)
        session: YappiSession = self.application.settings["yappi_session"]
        try:
            session.start(query.clock)
        except ProfilerBusy as e:
            raise tornado.web.HTTPError(409, "%s", str(e)) from None
        except ProfilerMissing as e:
            raise tornado.web.HTTPError(503, "%s", str(e)) from None
        self._gone = gone = asyncio.Event()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(query.seconds):
                    await gone.wait()  # set when the client hangs up: stop at once
        finally:
            # Whatever happens (client gone, cancelled at shutdown). Off the event loop: reading
            # yappi's tables takes 0.1 s or more; the thread runs to the end, freeing yappi, even
            # if this request is cancelled meanwhile.
            merged = query.format == "pstat"
            stats = await asyncio.to_thread(session.stop, merged)
        if gone.is_set():
            return
        # So does drawing the flame graph.
        body = await asyncio.to_thread(profile_bytes, stats, query.format)
        self.set_header("Content-Type", _TYPES[query.format])
        if query.format == "pstat":
            name = f"yappi-{query.clock}.pstat"
            self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        self.finish(body)

    def on_connection_close(self) -> None:
        super().on_connection_close()
        if self._gone is not None:
            self._gone.set()


class TasksHandler(BaseHandler):
    """`GET /debug/tasks`: every asyncio task with the chain of awaits it waits in (JSON)."""

    ROUTE = "/debug/tasks"

    def get(self) -> None:
        self.write_json(describe_tasks())
