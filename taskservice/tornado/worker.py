"""The worker side of `--workers N`: how a server process learns it is worker i of a supervisor."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
from dataclasses import dataclass, replace
from types import FrameType
from typing import Final

from taskservice.config import Config

WORKER_ENV: Final = "TASKSERVICE_WORKER"  # "INDEX:READY_FD:SUPERVISOR_PID", set by the supervisor
_PR_SET_PDEATHSIG: Final = 1


@dataclass(frozen=True)
class Worker:
    """This process is worker `index`; it writes one line to `ready_fd` once it listens."""

    index: int
    ready_fd: int
    supervisor: int

    def stop_on_sigterm(self, loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
        """Set `stop` on SIGTERM, and ignore SIGINT: the supervisor decides, and forwards it.

        Ctrl-C in a terminal reaches the whole process group, workers included. A SIGTERM can
        also come twice (sent to the group, then forwarded), the second after the loop has
        closed, when asyncio would have put back the default action (die): this handler stays.
        """

        def handler(sig: int, frame: FrameType | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: already on the way out
                loop.call_soon_threadsafe(stop.set)

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, handler)

    @staticmethod
    def ignore_sigterm() -> None:
        """Ignore SIGTERM from now on: the interpreter's exit puts back the default action (die)
        for Python handlers, and a late repeat must not turn a drained worker's exit 0 into one."""
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def own_profile_folder(self, config: Config) -> Config:
        """The config with a profiling.output of this worker's own (`DIR/worker-I`), so the
        workers' whole-run profiles do not overwrite each other (the default, yappi-<pid>, is
        already one per process)."""
        if not config.profiling_output:
            return config
        return replace(config, profiling_output=f"{config.profiling_output}/worker-{self.index}")

    def ready(self, port: int) -> None:
        """Tell the supervisor this worker is listening."""
        os.write(self.ready_fd, f"{self.index} {os.getpid()} {port}\n".encode())
        os.close(self.ready_fd)


def current() -> Worker | None:
    """This process's Worker, or None when it serves alone (no supervisor)."""
    value = os.environ.get(WORKER_ENV)
    if not value:
        return None
    index, fd, supervisor = (int(part) for part in value.split(":"))
    return Worker(index, fd, supervisor)


def follow_supervisor(worker: Worker) -> None:
    """Drain (SIGTERM) when the supervisor dies, so no worker outlives it; Linux only."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        return  # not Linux: a worker whose supervisor is killed outright keeps serving
    if os.getppid() != worker.supervisor:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)
