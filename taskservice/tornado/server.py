"""Command line, signals and graceful shutdown: `python3 taskservice/tornado/server.py --help`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script, as the tutorial does: import the package from the repo, not this folder,
    # and use the project's .venv (created by ./run.py) when this python lacks the dependencies.
    _ROOT = Path(__file__).resolve().parents[2]
    sys.path[0] = str(_ROOT)
    _VENV = _ROOT / ".venv"
    if Path(sys.prefix).resolve() != _VENV.resolve() and (_VENV / "bin" / "python").exists():
        import importlib.util

        if any(importlib.util.find_spec(m) is None for m in ("tornado", "yaml", "asyncpg")):
            os.execv(_VENV / "bin" / "python", [str(_VENV / "bin" / "python"), *sys.argv])

import argparse
import asyncio
import logging
import socket

import tornado.netutil
import tornado.web

from taskservice import config as config_mod
from taskservice.errors import StoreError
from taskservice.observe import LoopMonitor, Metrics
from taskservice.profiling import OutputError, ProfilerMissing
from taskservice.profiling.wholerun import WholeRunProfile
from taskservice.service import TodoListService
from taskservice.store import TimedStore, make_store, redact
from taskservice.tornado.admin import make_admin_app, warn_if_exposed
from taskservice.tornado.app import make_app
from taskservice.tornado.connections import GuardedHTTPServer
from taskservice.tornado.llhttp import LLHTTPServer
from taskservice.tornado.loops import LOOPS, LoopMissing, choose_loop, loop_factory
from taskservice.tornado.shutdown import (
    STOP_SIGNALS,
    HTTPListener,
    close_admin,
    drain,
    exit_on_next_signal,
)
from taskservice.tornado.worker import Worker, follow_supervisor
from taskservice.tornado.worker import current as current_worker
from taskservice.tornado.workers import Supervisor, SupervisorError
from taskservice.utils.logutils import log_event

EXIT_STARTUP: int = 2
HTTP_TRANSPORTS = ("llhttp", "tornado")
# Our handlers stream the body and answer 413 themselves past server.max_body_bytes; Tornado's
# own limit would instead drop the connection with a bare 400, so it is set far out of the way.
_TORNADO_BODY_LIMIT: int = 2**40


class StartupError(Exception):
    """The server cannot start: the message is one line for the operator."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The server's command line; flags override the config file."""
    p = argparse.ArgumentParser(prog="taskservice", description="Serve the todo-list API.")
    p.add_argument("--config", help="YAML config file (default: built-in defaults)")
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default 8080; 0 picks a free one)")
    p.add_argument(
        "--store",
        help="store URL: memory://, sqlite:///PATH or postgresql://... (overrides store.url)",
    )
    p.add_argument("--debug", action="store_true", default=None, help="add traces to errors")
    p.add_argument(
        "--http",
        choices=HTTP_TRANSPORTS,
        help="the HTTP transport: llhttp (httptools, the default) or tornado (Tornado's own)",
    )
    p.add_argument(
        "--loop", choices=LOOPS, help="the event loop (default auto: uvloop under llhttp)"
    )
    p.add_argument(
        "--workers",
        type=int,
        help="processes serving the port, under one supervisor (default 1: no supervisor)",
    )
    admin = p.add_argument_group("admin listener (off unless a port is given)")
    admin.add_argument("--admin-port", type=int, help="admin port (0 picks a free one)")
    admin.add_argument(
        "--admin-debug",
        action="store_true",
        default=None,
        help="serve /debug/profile and /debug/tasks on the admin listener",
    )
    yappi = p.add_argument_group("whole-run profiling with yappi (files written at shutdown)")
    yappi.add_argument("--yappi", action="store_true", default=None, help="profile the whole run")
    yappi.add_argument("--yappi-clock", choices=("wall", "cpu"), help="yappi's clock (wall)")
    yappi.add_argument("--yappi-output", help="folder for the files (default yappi-<pid>)")
    return p.parse_args(argv)


# The flag that overrides each config key, to name in an error when the flag was given.
_FLAGS = {
    "store.url": ("--store", "store"),
    "server.port": ("--port", "port"),
    "server.host": ("--host", "host"),
    "server.http": ("--http", "http"),
    "server.loop": ("--loop", "loop"),
    "server.workers": ("--workers", "workers"),
    "admin.port": ("--admin-port", "admin_port"),
    "admin.debug": ("--admin-debug", "admin_debug"),
    "profiling.output": ("--yappi-output", "yappi_output"),
}


def build_config(args: argparse.Namespace) -> config_mod.Config:
    """The config file (or defaults) with the command line's overrides; ConfigError if invalid."""
    base = config_mod.load(args.config) if args.config else config_mod.Config()
    try:
        return base.with_overrides(
            host=args.host,
            port=args.port,
            debug=args.debug,
            store_url=args.store,
            http=args.http,
            loop=args.loop,
            workers=args.workers,
            admin_port=args.admin_port,
            admin_debug=args.admin_debug,
            profiling_yappi=args.yappi,
            profiling_clock=args.yappi_clock,
            profiling_output=args.yappi_output,
        )
    except config_mod.ConfigError as e:
        # Name the flag the user typed rather than the config key it overrides.
        key, _, rest = str(e).partition(":")
        flag, dest = _FLAGS.get(key, (key, ""))
        raise config_mod.ConfigError(
            f"{flag if getattr(args, dest, None) is not None else key}:{rest}"
        ) from None


async def serve(
    config: config_mod.Config, worker: Worker | None = None, loop_name: str = "asyncio"
) -> int:
    """Open the store, listen, serve until SIGTERM or SIGINT, then drain and close.

    As one of several workers, only SIGTERM (from the supervisor) stops it, and it listens with
    SO_REUSEPORT on the port the supervisor chose.
    """
    logger = logging.getLogger("taskservice")
    # Signals first: a SIGTERM during start-up then stops the server once it is up, cleanly.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if worker is None:
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
    else:
        worker.stop_on_sigterm(loop, stop)
    profile = WholeRunProfile.from_config(config)
    if profile is not None:
        try:
            profile.check()
        except (OutputError, ProfilerMissing) as e:
            raise StartupError(str(e)) from None
    store = make_store(config.store_url)
    try:
        await store.open()
    except StoreError as e:
        raise StartupError(str(e)) from None
    # Metrics are recorded only when there is an admin listener to serve them from.
    metrics = Metrics() if config.admin_port is not None else None
    timed = TimedStore(store, metrics.observe_store if metrics is not None else None)
    service = TodoListService(timed)
    app = make_app(config, service, metrics)
    server = make_http_server(config, app)
    admin_app = None
    if config.admin_port is not None:
        admin_app = make_admin_app(config, service, metrics=metrics)
    shared = worker is not None
    try:
        sockets = _listen(config.host, config.port, shared=shared)
        admin_sockets = (
            _listen(config.admin_host, config.admin_port, sockets, shared) if admin_app else []
        )
    except StartupError:
        await store.close()
        raise
    if profile is not None:
        profile.start()  # before the first request
    server.add_sockets(sockets)
    port: int = sockets[0].getsockname()[1]
    fields: dict[str, object] = {"host": config.host, "port": port}
    fields.update(http=config.http, loop=loop_name)
    admin_server = None
    if admin_app is not None:
        admin_server = make_http_server(config, admin_app)
        admin_server.add_sockets(admin_sockets)
        fields["admin_port"] = admin_sockets[0].getsockname()[1]
    if profile is not None:
        fields["yappi"] = profile.clock
    fields["store"] = redact(config.store_url)  # a postgresql:// URL may hold a password
    if worker is not None:
        fields.update(worker=worker.index, pid=os.getpid())
    log_event(logger, logging.INFO, "STARTING", {}, service_name=config.service_name, **fields)
    warn_if_exposed(config)
    monitor = _loop_monitor(config, logger, metrics)
    if worker is not None:
        worker.ready(port)
    await stop.wait()
    if worker is None:
        exit_on_next_signal(loop)  # a second signal during the drain means: stop now
    await drain(server, app.settings["inflight"], timed, config.shutdown_timeout_s)
    if monitor is not None:
        await monitor.stop()
    if admin_app is not None and admin_server is not None:
        await close_admin(admin_server, admin_app.settings["inflight"])
    if profile is not None and not await profile.finish():
        return 1
    return 0


def _loop_monitor(
    config: config_mod.Config, logger: logging.Logger, metrics: Metrics | None
) -> LoopMonitor | None:
    """Sample the loop's lag for the metrics and the watchdog, when either wants it."""
    warn_after = config.loop_lag_warning_s or None
    if metrics is None and warn_after is None:
        return None
    observe = metrics.observe_lag if metrics is not None else None
    monitor = LoopMonitor(logger, warn_after, observe)
    monitor.start()
    return monitor


def _listen(
    host: str, port: int | None, opened: list[socket.socket] | None = None, shared: bool = False
) -> list[socket.socket]:
    """Bound sockets for host:port (SO_REUSEPORT when `shared` among workers); on failure close
    `opened` too and raise StartupError."""
    try:
        return tornado.netutil.bind_sockets(port or 0, host, reuse_port=shared)
    except OSError as e:
        for sock in opened or []:
            sock.close()
        raise StartupError(f"cannot listen on {host}:{port}: {e.strerror}") from None


def make_http_server(config: config_mod.Config, app: tornado.web.Application) -> HTTPListener:
    """The config's HTTP transport with its connection limits (not yet listening)."""
    if config.http == "llhttp":
        return LLHTTPServer(
            app,
            max_header_bytes=config.max_header_bytes,
            header_timeout=config.header_timeout_s,
            idle_timeout=config.idle_timeout_s,
            body_timeout=config.body_timeout_s,
        )
    return GuardedHTTPServer(
        app,
        max_body_size=_TORNADO_BODY_LIMIT,
        max_header_size=config.max_header_bytes,
        header_timeout=config.header_timeout_s,
        # Tornado's one clock for a keep-alive connection's idle time and its next request head.
        idle_connection_timeout=config.idle_timeout_s,
        body_timeout=config.body_timeout_s,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the server; exit 2 with one line on stderr when it cannot start."""
    args = parse_args(argv)
    try:
        config = build_config(args)
        config_mod.configure_logging(config)
    except config_mod.ConfigError as e:
        print(f"taskservice: config error: {e}", file=sys.stderr)
        return EXIT_STARTUP
    worker = current_worker()
    try:
        if config.workers > 1 and worker is None:
            return Supervisor(config, sys.argv[1:] if argv is None else argv).run()
        if worker is not None:
            follow_supervisor(worker)
            config = worker.own_profile_folder(config)
        loop_name, note = choose_loop(config.loop, config.http)
        if note is not None:
            logging.getLogger("taskservice").info(note)
        with asyncio.Runner(loop_factory=loop_factory(loop_name)) as runner:
            code = runner.run(serve(config, worker, loop_name))
        if worker is not None:
            worker.ignore_sigterm()
        return code
    except (StartupError, SupervisorError, LoopMissing) as e:
        print(f"taskservice: cannot start: {e}", file=sys.stderr)
        return EXIT_STARTUP
    finally:
        logging.shutdown()  # flush every handler before the process ends


if __name__ == "__main__":
    sys.exit(main())
