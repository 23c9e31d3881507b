"""Start the service for a run, on a free loopback port with a fresh store, and stop it after."""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.load import cpus

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "taskservice" / "tornado" / "server.py"
HTTP_TRANSPORTS = ("llhttp", "tornado")
LOAD_CONFIG = ROOT / "configs" / "todoList-load.yaml"


class ServiceError(RuntimeError):
    """The service did not come up; the message says why, in one line."""


@dataclass(frozen=True)
class Service:
    """A running service: where it answers, its process id, its store."""

    url: str
    pid: int
    store: str
    pids: tuple[int, ...] = ()  # every process serving: the supervisor and its workers, if any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def healthy(port: int) -> bool:
    """Whether GET /healthz on 127.0.0.1:`port` answers 200 (bare Tornado answers every GET)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        conn.close()


def wait_healthy(proc: subprocess.Popen[bytes], port: int, timeout: float) -> str | None:
    """Wait until the process we started answers on `port`; None, or why it never will."""
    deadline = time.monotonic() + timeout
    while not healthy(port):
        if proc.poll() is not None:
            return f"exited with {proc.returncode}"
        if time.monotonic() > deadline:
            return f"was not healthy after {timeout:g} s"
        time.sleep(0.05)
    return None


def stop_process(
    proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, wait: float = 20
) -> None:
    """Signal one process we started, by its PID; kill it if it outlives `wait` seconds."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_workers(
    proc: subprocess.Popen[bytes], logs: Sequence[Path], workers: int, timeout: float
) -> str | None:
    """Wait for the supervisor's STARTING line, logged once every worker listens, in any of
    `logs`; None, or what went wrong."""
    deadline = time.monotonic() + timeout
    started_line = f"message=STARTING workers={workers} ".encode()
    while not any(log.exists() and started_line in log.read_bytes() for log in logs):
        if proc.poll() is not None:
            return f"exited with code {proc.returncode} while its workers started"
        if time.monotonic() > deadline:
            return f"had not logged that its {workers} workers listen within {timeout:g} s"
        time.sleep(0.05)
    return None


def http_args(http: str | None) -> list[str]:
    """The server flags that choose transport `http` (none: the config's)."""
    return ["--http", http] if http else []


@contextmanager
def started(
    log: Path,
    store: str | None = None,
    config: Path = LOAD_CONFIG,
    cores: tuple[int, ...] | None = None,
    timeout: float = 30.0,
    extra_args: Sequence[str] = (),
    prefix: Sequence[str] = (),
    stop_signal: int = signal.SIGTERM,
    stop_wait: float = 20.0,
    workers: int = 1,
) -> Iterator[Service]:
    """Run the service until the block ends; its console output goes to `log`.

    `extra_args` go to the server after the harness's own flags. `prefix` runs the server under
    another program (a profiler that launches it): `Service.pid` is then that program's, and
    `stop_signal` is what asks it to finish, `stop_wait` how long it may take. With `workers` > 1
    the service is a supervisor and that many worker processes (its `--workers`), and the block
    starts once every worker listens.
    """
    workdir = Path(tempfile.mkdtemp(prefix="taskservice-load-"))
    port = free_port()
    store_url = store or f"sqlite:///{workdir}/tasks.db"  # workdir is absolute: four slashes
    cmd = [*prefix, *cpus.prefix(cores), sys.executable, str(SERVER), "--port", str(port)]
    cmd += ["--config", str(config), "--store", store_url, *extra_args]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        # A session of its own: a Ctrl-C at the terminal reaches the harness, which stops the
        # service only after locust has finished with it.
        proc = subprocess.Popen(
            cmd, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        trouble = wait_healthy(proc, port, timeout)
        if trouble is None and workers > 1:
            # The load config logs INFO to taskservice.log in the working directory; another
            # config may log it to the console.
            logs = (workdir / "taskservice.log", log)
            trouble = _wait_workers(proc, logs, workers, timeout)
        if trouble is not None:
            raise ServiceError(f"the service {trouble}; see {log}")
        pids = (proc.pid, *(c.pid for c in psutil.Process(proc.pid).children()))
        yield Service(f"http://127.0.0.1:{port}", proc.pid, store_url, pids)
    finally:
        stop_process(proc, stop_signal, stop_wait)
        shutil.rmtree(workdir, ignore_errors=True)
