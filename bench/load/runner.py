"""Run locust against the service: `run_headless(options) -> RunResult`, the web UI, workers."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bench.load import cpus, locust_cmd, reports, seed, service
from bench.load.options import LoadOptions
from bench.load.sampler import Sampler
from bench.load.scenarios import SCENARIOS
from bench.load.service import Service, stop_process
from bench.load.summary import Report

Watch = Callable[[Service], AbstractContextManager[object]]
"""Watches the service a run started: entered before locust starts, left once it has stopped."""

GRACE_S = 60.0
"""How long past its run time locust may take to stop and write its reports."""
_PROGRESS = re.compile(r"progress (.*)")
_JOINED = re.compile(r"workers joined=(\d+) expected=(\d+)")
_STARTED = re.compile(r"started workers=(\d+)")
_WARMED = re.compile(r"warmup done elapsed_s=(\S+)")


class WorkersMissing(Exception):
    """A master gave up waiting for its workers: no load ran."""


@dataclass
class _Seen:
    """What the master said about its workers before the run: how many joined, whether it began."""

    joined: int = 0  # the most that were joined at once
    started: bool = False


@dataclass
class RunResult:
    """A finished headless run: its folder, locust's exit code and the report."""

    folder: Path
    locust_exit: int
    report: Report
    service_cpu_s: float | None = None  # the service's CPU over the load, where it was measured

    @property
    def slo_passed(self) -> bool:
        return all(v.passed for v in self.report.verdicts)

    @property
    def exit_code(self) -> int:
        """1 when an SLO failed, else locust's own (non-zero when a request failed)."""
        return 0 if self.locust_exit == 0 and self.slo_passed else 1


@contextmanager
def _processes(*cmds: tuple[list[str], dict[str, str]]) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start commands (the first with its stdout piped); stop whichever still run at the end."""
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for i, (cmd, env) in enumerate(cmds):
            stdout = subprocess.PIPE if i == 0 else subprocess.DEVNULL
            procs.append(subprocess.Popen(cmd, env=env, stdout=stdout, start_new_session=True))
        yield procs
    finally:
        if procs:
            _stop_locust(procs[0])
        for proc in procs[1:]:
            stop_process(proc, wait=10)


def _stop_locust(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT makes locust write its reports and tell its workers; SIGTERM if it ignores SIGINT
    (as a process started in the background by a shell does); then SIGKILL."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stop_process(proc, signal.SIGTERM, wait=20)


def _relay(
    stream: IO[bytes], sampler: Sampler, duration_s: float, seen: _Seen, echo: bool = True
) -> None:
    """Print locust's progress lines as a person reads them, with the CPU use beside them;
    restart the CPU sampling when the warm-up ends. `echo=False`: read, print nothing."""
    for raw in stream:
        line = raw.decode(errors="replace").rstrip()
        if warmed := _WARMED.fullmatch(line):
            sampler.restart()
            if echo:
                print(f"load: warm-up over after {warmed.group(1)}s; measuring from here")
            continue
        if not echo:
            continue
        if joined := _JOINED.fullmatch(line):
            # The most at once: a master giving up tells those that came to quit, and says so.
            seen.joined = max(seen.joined, int(joined.group(1)))
            print(f"load: {joined.group(1)} of {joined.group(2)} workers joined", flush=True)
            continue
        if started := _STARTED.fullmatch(line):
            seen.started = True
            print(f"load: starting with {started.group(1)} workers", flush=True)
            continue
        match = _PROGRESS.fullmatch(line)
        if match is None:
            print(line, file=sys.stderr, flush=True)
            continue
        f = dict(kv.split("=", 1) for kv in match.group(1).split())
        cpu = sampler.use(last=2)
        server = f", service {cpu.server_pct:.0f}%" if cpu.server_pct is not None else ""
        requests, failures = int(f["requests"]), int(f["failures"])
        share = failures / requests if requests else 0.0
        print(
            f"[{float(f['elapsed_s']):5.0f}s/{duration_s:.0f}s] {float(f['rps']):8.1f} req/s  "
            f"{requests} requests  {failures} failures ({share:.2%})  {f['users']} users  "
            f"cpu: generator {cpu.generator_pct:.0f}%{server}",
            flush=True,
        )


@dataclass(frozen=True)
class Started:
    """A service the caller started and seeded itself (the profiler does), and its pinning."""

    service: Service
    pinning: cpus.Pinning | None


def run_headless(
    options: LoadOptions,
    watch: Watch | None = None,
    started: Started | None = None,
    echo: bool = True,
) -> RunResult:
    """Run one headless load test and write its report folder.

    The service is `started` by the caller, or at `options.host`, or else started here.
    `watch(service)`, for a service started here, is entered once the service is up (and seeded)
    and left after locust has stopped, while the service still runs: the soak samples it so.
    `echo=False` keeps locust's progress and summary off the console (a capacity step).
    """
    if options.host is not None and (watch is not None or started is not None):
        raise ValueError("--host names a service this run neither started nor can watch")
    folder = reports.new_folder(options)
    if started is not None:
        pinning = started.pinning
    else:
        pinning = cpus.plan(options.pin) if options.host is None else None
    with ExitStack() as stack:
        svc = started.service if started else None
        if options.host is None and svc is None:
            svc = stack.enter_context(
                service.started(
                    folder / "server.log",
                    store=options.store,
                    config=options.config,
                    cores=_service_cores(options, pinning),
                    workers=options.service_workers,
                    extra_args=service.http_args(options.http),
                )
            )
        host = options.host or (svc.url if svc else "")
        if started is None and (count := SCENARIOS[options.scenario].seed):
            # Here rather than in locust's test_start, so seeding does not eat into the run time.
            seed.ensure_stored(host, count)
        if watch is not None and svc is not None:
            stack.enter_context(watch(svc))
        generator = pinning.generator if pinning else None
        port = _master_port(options)
        env = locust_cmd.env([options.shape] if options.shape else [])
        cmds = [(locust_cmd.headless(options, host, folder, port, generator), env)]
        cmds += [(locust_cmd.worker("127.0.0.1", port, generator), env)] * options.workers
        procs = stack.enter_context(_processes(*cmds))
        roles = {
            "generator": [p.pid for p in procs],
            "server": list(svc.pids or [svc.pid]) if svc else [],
        }
        sampler = Sampler(roles).start()
        seen = _Seen()
        relay = threading.Thread(
            target=_relay,
            args=(procs[0].stdout, sampler, options.duration_s, seen, echo),
            daemon=True,
        )
        relay.start()
        # A master's run time starts once its workers have joined, which takes up to connect_wait.
        wait_s = options.connect_wait_s if options.distributed else 0.0
        try:
            code = procs[0].wait(timeout=wait_s + options.duration_s + GRACE_S)
        except subprocess.TimeoutExpired:
            print("load: locust overran its run time; stopping it", file=sys.stderr)
            _stop_locust(procs[0])
            code = procs[0].returncode or 1
        relay.join(timeout=30)  # it ends at locust's EOF; the bound is for a busy machine
        cpu = sampler.stop()
        if options.distributed and not seen.started:
            raise WorkersMissing(
                f"load: {seen.joined} of {options.workers + options.remote_workers} locust "
                f"workers joined the master on {options.master_bind_host}:{port} within "
                f"{options.connect_wait_s:g}s (--connect-wait); no load ran"
            )
        facts = reports.facts(options, host, svc, pinning)
    report = reports.build(options, folder, facts, cpu)
    return RunResult(folder, code, report)


def _service_cores(options: LoadOptions, pinning: cpus.Pinning | None) -> tuple[int, ...] | None:
    """The service's cores: its pinned one, or none at all when several workers share them."""
    return pinning.server if pinning and options.service_workers == 1 else None


def _master_port(options: LoadOptions) -> int:
    if options.master_port is not None:
        return options.master_port
    return 5557 if options.remote_workers else service.free_port()


def run_web(options: LoadOptions, picker: bool) -> int:
    """Serve locust's web UI until Ctrl-C; starts the service unless --host."""
    pinning = cpus.plan(options.pin) if options.host is None else None
    with ExitStack() as stack:
        host = options.host
        if host is None:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="taskservice-web-"))
            log = Path(tmp) / "server.log"
            svc = stack.enter_context(
                service.started(
                    log,
                    store=options.store,
                    config=options.config,
                    cores=_service_cores(options, pinning),
                    workers=options.service_workers,
                    extra_args=service.http_args(options.http),
                )
            )
            host = svc.url
        generator = pinning.generator if pinning else None
        port = _master_port(options)
        env = locust_cmd.env(locust_cmd.web_shapes(options, picker))
        cmds = [(locust_cmd.web(options, host, port, generator, picker), env)]
        cmds += [(locust_cmd.worker("127.0.0.1", port, generator), env)] * options.workers
        procs = stack.enter_context(_processes(*cmds))
        threading.Thread(target=_echo, args=(procs[0].stdout,), daemon=True).start()
        print(f"load: locust web UI on http://127.0.0.1:{options.web_port} testing {host}")
        print("load: Ctrl-C stops locust, then the service it started", flush=True)
        try:
            return procs[0].wait()
        except KeyboardInterrupt:
            return 0


def run_workers(host: str, port: int, count: int, wait_s: float = 60.0) -> int:
    """Run `count` workers for a master at host:port until it ends them; 1 if none answers.

    Waits up to `wait_s` for the master's port to accept connections first, so workers may start
    before their master, and a worker whose master never comes stops in bounded time (locust's
    own worker would retry for five minutes).
    """
    print(f"load: waiting up to {wait_s:g}s for the locust master at {host}:{port}", flush=True)
    if not _answers(host, port, wait_s):
        print(
            f"load: no locust master answered at {host}:{port} within {wait_s:g}s "
            "(--connect-wait); is it running, and is the port open?",
            file=sys.stderr,
        )
        return 1
    env = locust_cmd.env([])
    cmds = [(locust_cmd.worker(host, port, None), env)] * max(1, count)
    with _processes(*cmds) as procs:
        threading.Thread(target=_echo, args=(procs[0].stdout,), daemon=True).start()
        try:
            return max(p.wait() for p in procs)
        except KeyboardInterrupt:
            return 0


def _answers(host: str, port: int, wait_s: float) -> bool:
    """Whether a TCP connection to host:port succeeds within `wait_s` seconds."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            socket.create_connection((host, port), timeout=1.0).close()
            return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.5)


def _echo(stream: IO[bytes]) -> None:
    for raw in stream:
        print(raw.decode(errors="replace").rstrip(), flush=True)
