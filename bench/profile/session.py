"""One pass of load against a service the harness starts: the service, seeding, locust.

The service runs on the first core. Locust is started with `--host` (the service is ours, not
run_headless's), so run_headless does not pin it: the harness pins itself to the other cores
instead, and locust inherits that.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import psutil

from bench.load import runner, seed
from bench.load.cpus import Pinning
from bench.load.runner import RunResult
from bench.load.scenarios import SCENARIOS
from bench.load.service import Service, http_args, started
from bench.profile.options import ProfileRequest


class ProfileError(RuntimeError):
    """The run cannot go on; the message says why, in one line."""


def pin_harness(pinning: Pinning | None) -> None:
    """Keep the harness, and so locust and py-spy, off the service's core."""
    if pinning is not None:
        os.sched_setaffinity(0, pinning.generator)


@contextmanager
def service(
    req: ProfileRequest,
    log: Path,
    extra_args: Sequence[str] = (),
    prefix: Sequence[str] = (),
    stop_signal: int = signal.SIGTERM,
    stop_wait: float = 20.0,
) -> Iterator[Service]:
    """The service on its own core, healthy and seeded for the scenario, until the block ends."""
    cores = req.pinning.server if req.pinning else None
    args = [*http_args(req.http), *extra_args]
    with started(
        log, config=req.config, cores=cores, extra_args=args, prefix=prefix,
        stop_signal=stop_signal, stop_wait=stop_wait,
    ) as svc:  # fmt: skip
        # Seed before any profiler starts, so the pictures hold the load alone.
        if count := SCENARIOS[req.scenario].seed:
            seed.ensure_stored(svc.url, count)
        yield svc


def service_cpu_s(svc: Service) -> float | None:
    """CPU seconds (user and system, every thread) of the processes serving, children included;
    a profiler that started the service (launch mode) is not counted. None if none can be read."""
    total, seen = 0.0, False
    for pid in svc.pids or (svc.pid,):
        try:
            top = psutil.Process(pid)
            for proc in [top, *top.children(recursive=True)]:
                if proc.name() != "py-spy":
                    times = proc.cpu_times()
                    total, seen = total + times.user + times.system, True
        except psutil.Error:
            continue  # gone: its CPU is not known any more
    return total if seen else None


def drive(req: ProfileRequest, svc: Service, folder: Path) -> RunResult:
    """The scenario's load against `svc`, headless, its locust reports written into `folder`;
    the result carries the service's CPU over the load."""
    started = runner.Started(svc, req.pinning)
    before = service_cpu_s(svc)
    result = runner.run_headless(req.load_options(folder), started=started)
    after = service_cpu_s(svc)
    if before is not None and after is not None:
        result = replace(result, service_cpu_s=after - before)
    total = result.report.stats.total
    if total.requests == 0:
        raise ProfileError(
            f"no requests were made (locust exit {result.locust_exit}); see {folder}"
        )
    if total.failures:
        print(
            f"profile: WARNING {total.failures} of {total.requests} requests failed; "
            f"see {folder / 'report.html'}",
            file=sys.stderr,
        )
    return result
