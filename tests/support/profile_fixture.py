"""A real profile run folder for tests of the index: py-spy attached to the service under load.

It writes what `./run.py profile --tool py-spy` writes (run.json per the contract, the on-CPU
flame graph, its collapsed stacks and speedscope JSON), from a short real recording. Once that
command exists, `record_profile_run` can become a call to it.
"""

from __future__ import annotations

import http.client
import json
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

# The package re-exports it without declaring so; the extension module's own stub types it.
from pyinferno.pyinferno import flamegraph_from_lines

from bench.load.service import LOAD_CONFIG, ROOT, started, stop_process

PY_SPY = Path(sys.executable).parent / "py-spy"
STEM = "pyspy-oncpu"


@dataclass
class Load:
    """Back-to-back CRUD requests from a few threads until stopped; their latencies in ms."""

    port: int
    threads: int = 2
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self._workers = [threading.Thread(target=self._run) for _ in range(self.threads)]
        for w in self._workers:
            w.start()

    def stop(self) -> None:
        self._stop.set()
        for w in self._workers:
            w.join(timeout=15)

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            while not self._stop.is_set():
                location = self._call(conn, "POST", "/tasks", b'{"title": "profile me"}')
                if location:
                    self._call(conn, "GET", location)
                    self._call(conn, "PUT", location, b'{"title": "profiled", "completed": true}')
                    self._call(conn, "GET", "/tasks?limit=20")
                    self._call(conn, "DELETE", location)
        except (OSError, http.client.HTTPException):
            self.failures += 1  # the run's numbers say so; the recording is still good
        finally:
            conn.close()

    def _call(
        self, conn: http.client.HTTPConnection, method: str, path: str, body: bytes = b""
    ) -> str:
        t0 = time.perf_counter()
        conn.request(method, path, body=body or None)
        response = conn.getresponse()
        response.read()
        self.latencies.append((time.perf_counter() - t0) * 1000)
        if response.status >= 400:
            self.failures += 1
        return response.getheader("Location") or ""


def record_profile_run(profiles: Path, seconds: int = 2, scenario: str = "crud") -> Path:
    """Record the service under load with py-spy into a new run folder; return the folder."""
    folder = profiles / f"{time.strftime('%Y%m%d-%H%M%S')}-profile-py-spy-{scenario}"
    folder.mkdir(parents=True)
    started_at = datetime.now(UTC)
    with started(folder / "server.log") as svc:
        load = Load(urlsplit(svc.url).port or 0)
        load.start()
        t0 = time.monotonic()
        try:
            # Two recorders at once (the raw stacks and speedscope) work on one pid.
            _record(svc.pid, seconds, folder)
        finally:
            load.stop()
        elapsed = time.monotonic() - t0
    lines = (folder / f"{STEM}.collapsed").read_text().splitlines()
    svg = flamegraph_from_lines(lines, f"py-spy on-CPU: {scenario}")
    (folder / f"{STEM}.svg").write_text(svg)
    run = _run_json(scenario, seconds, started_at, load, elapsed)
    (folder / "summary.md").write_text(
        f"# {scenario} under py-spy\n\n- {len(load.latencies)} requests, "
        f"{run['failures']} failed, {run['rps']} rps, p99 {run['p99_ms']} ms\n"
    )
    (folder / "run.json").write_text(json.dumps(run, indent=1) + "\n")
    return folder


def _record(pid: int, seconds: int, folder: Path) -> None:
    """py-spy attached to `pid` for `seconds`, writing raw stacks and speedscope JSON."""
    outputs = {"raw": f"{STEM}.collapsed", "speedscope": f"{STEM}.speedscope.json"}
    record = [str(PY_SPY), "record", "--pid", str(pid), "--duration", str(seconds)]
    procs = [
        subprocess.Popen(
            [
                *record,
                "--rate",
                "250",
                "--nolineno",
                "--format",
                fmt,
                "--output",
                str(folder / name),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for fmt, name in outputs.items()
    ]
    for proc in procs:
        try:
            out, _ = proc.communicate(timeout=seconds + 30)
        finally:
            stop_process(proc, wait=5)
        if proc.returncode != 0:
            raise RuntimeError(f"py-spy failed ({proc.returncode}): {out.decode(errors='replace')}")


def _run_json(
    scenario: str, seconds: int, started_at: datetime, load: Load, elapsed: float
) -> dict[str, object]:
    ordered = sorted(load.latencies) or [0.0]
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True)
    return {
        "kind": "profile",
        "tool": "py-spy",
        "scenario": scenario,
        "started_at": started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_s": seconds,
        "users": load.threads,
        "rate": None,
        "commit": commit.stdout.decode().strip() or "unknown",
        "dirty": bool(dirty.stdout.strip()),
        "config": str(LOAD_CONFIG.relative_to(ROOT)),
        "versions": {
            "python": platform.python_version(),
            **{name: metadata.version(name) for name in ("tornado", "py-spy", "pyinferno")},
        },
        "rps": round(len(load.latencies) / elapsed, 1),
        "p50_ms": round(ordered[len(ordered) // 2], 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99)], 1),
        "failures": load.failures,
        "mode": "attach",
        "pictures": [
            {
                "title": "py-spy on-CPU",
                "svg": f"{STEM}.svg",
                "collapsed": f"{STEM}.collapsed",
                "speedscope": f"{STEM}.speedscope.json",
            }
        ],
        "reports": [
            {"title": "load summary", "path": "summary.md"},
            {"title": "server log", "path": "server.log"},
        ],
    }
