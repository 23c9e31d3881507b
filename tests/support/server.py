"""Start the real server as a subprocess on a free loopback port, and talk HTTP to it."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load.service import free_port

REPO = Path(__file__).resolve().parents[2]
SERVER = REPO / "taskservice" / "tornado" / "server.py"
TRANSPORTS = ("llhttp", "tornado")
"""The HTTP transports every server test runs on: llhttp (the default) and Tornado's own."""


@dataclass
class Response:
    """What came back: status, reason, headers (lower-cased names) and body."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class ServerProcess:
    """One server subprocess; its stdout and stderr go to files in `workdir`."""

    workdir: Path
    args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    preexec: Callable[[], None] | None = None  # run in the child before exec (faults.py)
    env: dict[str, str] = field(default_factory=dict)  # added to this process's environment
    http: str = "llhttp"  # the transport (--http); a later --http in args wins
    proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> ServerProcess:
        """Start the server and wait until /healthz answers 200 (a busy machine may take a
        while to import and start it: the bound is generous, the wait ends when it answers)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.stdout_path.open("ab") as out, self.stderr_path.open("ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(SERVER), "--port", str(self.port), *self.command_args],
                cwd=self.workdir,
                stdout=out,
                stderr=err,
                preexec_fn=self.preexec,
                env={**os.environ, **self.env},
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.stderr}")
            try:
                if self.request("GET", "/healthz", timeout=1).status == 200:
                    return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server not healthy after {timeout}s: {self.stderr}")

    @property
    def command_args(self) -> list[str]:
        """The server's flags after --port: the transport, then the test's own."""
        return ["--http", self.http, *self.args]

    @property
    def transport(self) -> str:
        """The transport the server runs: the last --http given."""
        args = self.command_args
        return args[len(args) - 1 - args[::-1].index("--http") + 1]

    @property
    def host(self) -> str:
        """The address the server was told to bind (127.0.0.1 unless --host says otherwise)."""
        return self.args[self.args.index("--host") + 1] if "--host" in self.args else "127.0.0.1"

    @property
    def stdout_path(self) -> Path:
        return self.workdir / "server.stdout"

    @property
    def stderr_path(self) -> Path:
        return self.workdir / "server.stderr"

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> Response:
        """One HTTP/1.1 request on a new connection."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, r.reason, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        """Send a signal and wait for the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)

    def wait(self, timeout: float = 20.0) -> int:
        """Wait for the exit code of a server already told to stop (a second signal could
        arrive after the event loop has closed, and kill the process mid-teardown)."""
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def logged(self, text: str, timeout: float = 20.0) -> bool:
        """Wait until the server's stdout has `text` (a log line); whether it came in time."""
        return wait_until(lambda: text in self.stdout, timeout=timeout)

    def begin_drain(self) -> None:
        """SIGTERM, and wait until the server says its drain has begun (STOPPING)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        assert self.logged("message=STOPPING "), self.stdout

    def kill(self) -> None:
        """End the process at once if it still runs (cleanup only)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def wait_until(check: Callable[[], object], timeout: float = 20.0, step: float = 0.05) -> bool:
    """Poll `check` until it is true or `timeout` seconds pass; whether it came true. A test
    waits on the event itself so, with a bound generous enough for a busy machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return bool(check())


def in_flight(admin_port: int) -> float:
    """The in-flight gauge, as /metrics on the admin port says: requests whose head the server
    has read (body still arriving included) and whose handler is not done."""
    conn = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    found = re.search(r"^taskservice_requests_in_flight ([0-9.]+)$", text, re.M)
    assert found is not None
    return float(found[1])


def wait_in_flight(admin_port: int, count: int = 1) -> None:
    """Wait until `count` requests are in flight: the server has read their heads."""
    assert wait_until(lambda: in_flight(admin_port) == count), f"{count} request(s) in flight"


def run_server(
    workdir: Path,
    *args: str,
    timeout: float = 20.0,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the server to completion (for start-up failures); never leaves it running."""
    return subprocess.run(
        [sys.executable, str(SERVER), *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=preexec,
    )
