"""The locust command lines of a run: one process alone, or a master and its workers."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from bench.load import cpus
from bench.load.options import LoadOptions
from bench.load.plans import SHAPES, SHAPES_ENV
from bench.load.scenarios import SCENARIOS
from bench.load.service import ROOT

LOCUSTFILE = ROOT / "bench" / "locustfile.py"
OPEN_MODEL_USER = "OpenModelUser"


def _locust(cores: tuple[int, ...] | None) -> list[str]:
    return [*cpus.prefix(cores), sys.executable, "-m", "locust", "-f", str(LOCUSTFILE)]


def env(shape_names: list[str]) -> dict[str, str]:
    """The environment for locust: which shapes the locustfile exposes."""
    return {**os.environ, SHAPES_ENV: ",".join(shape_names)}


def _distributed(options: LoadOptions, port: int) -> list[str]:
    if not options.distributed:
        return []
    return [
        "--master",
        "--master-bind-host",
        options.master_bind_host,
        "--master-bind-port",
        str(port),
        "--expect-workers",
        str(options.workers + options.remote_workers),
        # Without it a headless master whose workers never come waits for ever.
        "--expect-workers-max-wait",
        str(math.ceil(options.connect_wait_s)),
    ]


def _users(options: LoadOptions) -> list[str]:
    """User class and the open-model options, as locust's arguments."""
    if options.rate is None:
        return [SCENARIOS[options.scenario].user_class]
    return [
        "--open-rate",
        str(options.rate),
        "--open-scenario",
        options.scenario,
        OPEN_MODEL_USER,
    ]


def headless(
    options: LoadOptions, host: str, folder: Path, port: int, cores: tuple[int, ...] | None
) -> list[str]:
    """The headless locust (or master) writing its reports into `folder`."""
    users = options.user_count
    cmd = [*_locust(cores), "--headless", "--host", host, "--only-summary"]
    cmd += ["--users", str(users), "--spawn-rate", str(options.spawn_rate or users)]
    cmd += ["--run-time", f"{round(options.duration_s)}s"]
    cmd += ["--html", str(folder / "report.html"), "--csv", str(folder / "locust")]
    # --json-file appends ".json"; its totals are final, unlike the CSV written on a timer.
    # A master hears from its workers every 3 s: report no more often than that.
    every = max(options.progress_every, 3.0) if options.distributed else options.progress_every
    cmd += ["--json-file", str(folder / "totals"), "--progress-every", str(every)]
    if options.rate is not None:
        cmd += ["--open-report", str(folder / "open.json")]
    if options.warmup_s > 0:
        cmd += ["--warmup", str(options.warmup_s)]
    if options.distributed:
        cmd += ["--workers-report", str(folder / "workers.json")]
    cmd += _distributed(options, port)
    return cmd + list(options.locust_args) + _users(options)


def web(
    options: LoadOptions, host: str, port: int, cores: tuple[int, ...] | None, picker: bool
) -> list[str]:
    """Locust's web UI on 127.0.0.1: the given scenario, or a picker of scenarios and shapes."""
    cmd = [*_locust(cores), "--host", host, "--web-host", "127.0.0.1"]
    cmd += ["--web-port", str(options.web_port)]
    if options.users is not None:
        cmd += [
            "--users",
            str(options.users),
            "--spawn-rate",
            str(options.spawn_rate or options.users),
        ]
    cmd += _distributed(options, port) + list(options.locust_args)
    return cmd + (["--class-picker"] if picker else _users(options))


def web_shapes(options: LoadOptions, picker: bool) -> list[str]:
    """The shapes the web UI offers: the one asked for, or all of them in the picker."""
    if options.shape is not None:
        return [options.shape]
    return list(SHAPES) if picker else []


def worker(master_host: str, port: int, cores: tuple[int, ...] | None) -> list[str]:
    """One worker process connecting to a master."""
    return [*_locust(cores), "--worker", "--master-host", master_host, "--master-port", str(port)]
