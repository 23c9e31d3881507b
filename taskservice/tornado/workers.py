"""Supervisor: `--workers N` runs N server processes on one port and keeps them running.

Each worker is this same server, started as a child with the port fixed, binding with
SO_REUSEPORT so the kernel spreads new connections over them. The supervisor opens the store once
first (a bad URL, an unreachable database or a schema migration then fails or happens once, not N
times), reserves the ports, starts the workers and waits until each listens. It then reports and
replaces a worker that dies, forwards SIGTERM/SIGINT as SIGTERM so every worker drains, and
SIGKILLs them all on a second signal.
"""

from __future__ import annotations

import asyncio
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Final

from prometheus_client import multiprocess

from taskservice.config import Config
from taskservice.errors import StoreError
from taskservice.observe.metrics import MULTIPROC_ENV
from taskservice.store import make_store, redact
from taskservice.tornado.worker import WORKER_ENV
from taskservice.utils.logutils import log_event

SERVER: Final = Path(__file__).with_name("server.py")
READY_TIMEOUT_S: Final = 60.0
_QUICK_EXIT_S: Final = 2.0  # a worker dying sooner than this after its start is crash-looping
_MAX_QUICK_EXITS: Final = 5
_logger = logging.getLogger("taskservice")


class SupervisorError(Exception):
    """The workers cannot be started: one line for the operator (the server exits 2)."""


@dataclass
class _Child:
    index: int
    proc: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)
    ready: bool = False


def _describe(code: int) -> dict[str, object]:
    if code < 0:
        return {"signal": signal.Signals(-code).name}
    return {"exit_code": code}


class Supervisor:
    """Start, watch and stop `config.workers` server processes (see the module docstring)."""

    def __init__(self, config: Config, argv: list[str]) -> None:
        self.config = config
        self.argv = argv
        self.children: dict[int, _Child] = {}
        self.stop_signals = 0
        self.quick_exits = 0
        self._reserved: list[socket.socket] = []
        self._metrics_dir: str | None = None
        self._made_metrics_dir = False
        self._ready_r, self._ready_w = os.pipe()
        self.port = config.port
        self.admin_port = config.admin_port

    def run(self) -> int:
        """Serve until a stop signal, then drain every worker; the exit code for the process."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        try:
            self._prepare()
            for index in range(self.config.workers):
                self._spawn(index)
            self._wait_ready()
            if self.stop_signals:  # stopped while the workers started: no STARTING line
                return self._stop()
            pids = ",".join(str(c.proc.pid) for c in self.children.values())
            fields: dict[str, object] = {"host": self.config.host, "port": self.port}
            if self.admin_port is not None:
                fields["admin_port"] = self.admin_port
            log_event(
                _logger,
                logging.INFO,
                "STARTING",
                {},
                workers=len(self.children),
                pids=pids,
                supervisor=os.getpid(),
                **fields,
                store=redact(self.config.store_url),  # a postgresql:// URL may hold a password
            )
            while not self.stop_signals:
                self._watch(0.2)
            return self._stop()
        except SupervisorError:
            self._kill_all()
            raise
        finally:
            self._clean_up()

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self.stop_signals += 1
        if self.stop_signals > 1:
            self._kill_all()  # a second signal: stop now, as one process does

    def _prepare(self) -> None:
        # The ports first: a port another program holds then stops this before the store is
        # touched (which could create a database file nobody will use).
        self.port = self._reserve(self.config.host, self.config.port)
        if self.config.admin_port is not None:
            self.admin_port = self._reserve(self.config.admin_host, self.config.admin_port)
        try:
            asyncio.run(_check_store(self.config.store_url))
        except StoreError as e:
            raise SupervisorError(str(e)) from None
        if self.config.admin_port is not None:
            # The workers' metrics meet in files there (prometheus_client's multi-process mode).
            self._metrics_dir = os.environ.get(MULTIPROC_ENV)
            if self._metrics_dir:
                for stale in Path(self._metrics_dir).glob("*.db"):
                    stale.unlink()  # a previous run's values would be added to this one's
            else:
                self._metrics_dir = tempfile.mkdtemp(prefix="taskservice-metrics-")
                self._made_metrics_dir = True

    def _reserve(self, host: str, port: int) -> int:
        """Hold host:port (bound, not listening) so that port 0 means one port for all workers."""
        try:
            family, kind, proto, _, address = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
            )[0]
            if port:
                # SO_REUSEPORT would let this join another program's group on the port (another
                # supervisor's): first make sure that nothing else holds it.
                with socket.socket(family, kind, proto) as probe:
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    probe.bind(address)
            sock = socket.socket(family, kind, proto)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(address)
        except OSError as e:
            raise SupervisorError(f"cannot listen on {host}:{port}: {e.strerror}") from None
        # Bound but never listening: the kernel hands connections only to the workers' sockets.
        self._reserved.append(sock)
        return int(sock.getsockname()[1])

    def _spawn(self, index: int) -> None:
        ports = ["--port", str(self.port)]
        if self.admin_port is not None:
            ports += ["--admin-port", str(self.admin_port)]
        env = {**os.environ, WORKER_ENV: f"{index}:{self._ready_w}:{os.getpid()}"}
        if self._metrics_dir is not None:
            env[MULTIPROC_ENV] = self._metrics_dir
        proc = subprocess.Popen(
            [sys.executable, str(SERVER), *self.argv, *ports],
            env=env,
            pass_fds=(self._ready_w,),
        )
        self.children[index] = _Child(index, proc)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not all(c.ready for c in self.children.values()):
            if self.stop_signals:
                return
            if time.monotonic() > deadline:
                raise SupervisorError(f"workers not listening after {READY_TIMEOUT_S:g} s")
            for child in self.children.values():
                code = child.proc.poll()
                if code is not None:
                    # Its own stderr line says why (the store, the port, the config).
                    raise SupervisorError(f"worker {child.index} exited at start ({code})")
            self._read_ready(0.1)

    def _read_ready(self, timeout: float) -> None:
        readable, _, _ = select.select([self._ready_r], [], [], timeout)
        if not readable:
            return
        for line in os.read(self._ready_r, 65536).decode().splitlines():
            index, pid, _port = (int(part) for part in line.split())
            child = self.children.get(index)
            if child is not None and child.proc.pid == pid:
                child.ready = True

    def _watch(self, timeout: float) -> None:
        """Wait a little for news; report and replace any worker that died."""
        self._read_ready(timeout)
        for index, child in list(self.children.items()):
            code = child.proc.poll()
            if code is None or self.stop_signals:
                continue
            lived = time.monotonic() - child.started
            log_event(
                _logger,
                logging.ERROR,
                "WORKER_EXITED",
                {},
                worker=index,
                pid=child.proc.pid,
                **_describe(code),
                lived_s=round(lived, 1),
            )
            if self._metrics_dir is not None:
                multiprocess.mark_process_dead(child.proc.pid, self._metrics_dir)
            self.quick_exits = self.quick_exits + 1 if lived < _QUICK_EXIT_S else 0
            if self.quick_exits >= _MAX_QUICK_EXITS:
                log_event(
                    _logger,
                    logging.ERROR,
                    "WORKERS_CRASH_LOOPING",
                    {},
                    quick_exits=self.quick_exits,
                )
                self.stop_signals = 1
                return
            self._spawn(index)
            log_event(
                _logger,
                logging.WARNING,
                "WORKER_RESTARTED",
                {},
                worker=index,
                pid=self.children[index].proc.pid,
            )

    def _stop(self) -> int:
        log_event(_logger, logging.INFO, "STOPPING", {}, workers=len(self.children))
        # A worker handles SIGTERM once it has said it is ready: until then the signal would
        # kill it. Wait for the ones still starting (or ending) first.
        deadline = time.monotonic() + READY_TIMEOUT_S
        while self.stop_signals < 2 and time.monotonic() < deadline:
            starting = [c for c in self.children.values() if not c.ready and c.proc.poll() is None]
            if not starting:
                break
            self._read_ready(0.05)
        for child in self.children.values():
            if child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.config.shutdown_timeout_s + 10.0
        for child in self.children.values():
            try:
                child.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.proc.kill()
                child.proc.wait()
        codes = {c.index: c.proc.returncode for c in self.children.values()}
        clean = all(code == 0 for code in codes.values()) and self.quick_exits < _MAX_QUICK_EXITS
        exits = ",".join(str(codes[i]) for i in sorted(codes))
        log_event(
            _logger,
            logging.INFO if clean else logging.ERROR,
            "STOPPED",
            {},
            workers=len(codes),
            exit_codes=exits,
        )
        return 0 if clean else 1

    def _kill_all(self) -> None:
        for child in self.children.values():
            if child.proc.poll() is None:
                child.proc.kill()

    def _clean_up(self) -> None:
        for child in self.children.values():
            if child.proc.poll() is None:
                child.proc.kill()
            child.proc.wait()
        for sock in self._reserved:
            sock.close()
        os.close(self._ready_r)
        os.close(self._ready_w)
        if self._made_metrics_dir and self._metrics_dir is not None:
            shutil.rmtree(self._metrics_dir, ignore_errors=True)


async def _check_store(url: str) -> None:
    """Open the store once and close it: errors surface here, and the schema is made once."""
    store = make_store(url)
    await store.open()
    await store.close()
