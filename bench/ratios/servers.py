"""Start a server of a scenario pinned to the server's core, wait until it answers, stop it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.load import cpus
from bench.load.service import free_port, stop_process, wait_healthy
from bench.ratios.scenarios import SERVICE_HTTP, Http

ROOT = Path(__file__).resolve().parents[2]
SERVICE = ROOT / "taskservice" / "tornado" / "server.py"


class ServerError(RuntimeError):
    """A server did not come up; the message says why and where its output is."""


def baseline_command(port: int, http: Http = "tornado") -> list[str]:
    """Bare Tornado (bench/baseline.py) on `port`, served by the `http` transport."""
    return [sys.executable, "-m", "bench.baseline", "--port", str(port), "--http", http]


def minimal_command(port: int, store: Path, http: Http = "tornado") -> list[str]:
    """The minimal app (bench/minimal) on `port`, on the sqlite file `store`, served by `http`."""
    return [
        sys.executable, "-m", "bench.minimal", "--port", str(port),
        "--store", str(store.resolve()), "--http", http,
    ]  # fmt: skip


def service_command(port: int, config: Path, store: Path, http: Http = SERVICE_HTTP) -> list[str]:
    """The service on `port` with `config`, on the sqlite file `store` (durable by default)."""
    # An absolute path after sqlite:/// makes the four slashes the store URL wants. The transport
    # is named even though it is the default, so a config's server.http cannot change what ran.
    return [
        sys.executable, str(SERVICE), "--port", str(port), "--config", str(config),
        "--store", f"sqlite:///{store.resolve()}", "--http", http,
    ]  # fmt: skip


@contextmanager
def started(
    name: str,
    command: list[str],
    port: int,
    log: Path,
    cores: tuple[int, ...] | None,
    timeout: float = 30.0,
) -> Iterator[str]:
    """Run `command`, server `name` on `port`, pinned to `cores`, for the block; yields its URL.

    Its console output goes to `log`, and it runs in the log's folder, so any relative path it
    writes stays there.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}  # bench.baseline imports from the repository
    with log.open("ab") as out:
        # taskset pins the process before it starts, so every thread it makes inherits the core.
        # A session of its own: a Ctrl-C reaches the harness, which then stops the server.
        proc = subprocess.Popen(
            [*cpus.prefix(cores), *command],
            cwd=log.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        trouble = wait_healthy(proc, port, timeout)
        if trouble is not None:
            raise ServerError(f"{name} {trouble}; see {log}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)


__all__ = [
    "ServerError",
    "baseline_command",
    "free_port",
    "minimal_command",
    "service_command",
    "started",
]
