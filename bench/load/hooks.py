"""Locust-side plumbing: the harness's options, progress lines, the open model, seeding."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import gevent
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from bench.load import openmodel, seed, workers
from bench.load.scenarios import SCENARIOS

logger = logging.getLogger("taskservice.load")


def add_options(parser: LocustArgumentParser, **_: Any) -> None:
    """The harness's own locust options (the runner sets the hidden ones)."""
    parser.add_argument(
        "--open-rate",
        type=float,
        default=0.0,
        help="open model (OpenModelUser): iterations started per second, in all",
    )
    parser.add_argument(
        "--open-scenario",
        default="crud",
        choices=sorted(SCENARIOS),
        help="open model: the scenario each iteration runs one task of",
    )
    hidden: dict[str, Any] = {"include_in_web_ui": False}
    parser.add_argument("--open-users", type=int, default=0, help="set at start", **hidden)
    parser.add_argument(
        "--open-report", default="", help="write the open-model JSON here", **hidden
    )
    parser.add_argument("--progress-every", type=float, default=0.0, help="seconds", **hidden)
    parser.add_argument(
        "--warmup", type=float, default=0.0, help="seconds left out of the numbers", **hidden
    )
    parser.add_argument(
        "--workers-report", default="", help="master: write workers.json here", **hidden
    )


class _Progress:
    """The progress lines the runner relays: one every `every` seconds while the test runs, and
    a last one when it stops, so that even a run shorter than a period (or one whose start a
    busy machine delayed) shows one."""

    def __init__(self, environment: Environment) -> None:
        assert environment.runner is not None
        self.runner = environment.runner
        self.start = self.last_t = time.monotonic()
        self.last_n = self.runner.stats.total.num_requests

    def line(self) -> None:
        """Print one line: the rate since the last one, the totals so far."""
        stats = self.runner.stats.total
        now, n = time.monotonic(), stats.num_requests
        last_n = 0 if n < self.last_n else self.last_n  # the warm-up's end reset the stats
        rps = (n - last_n) / max(now - self.last_t, 1e-3)
        print(
            f"progress elapsed_s={now - self.start:.1f} rps={rps:.1f} requests={n} "
            f"failures={stats.num_failures} users={self.runner.user_count}",
            flush=True,
        )
        self.last_t, self.last_n = now, n

    def every(self, seconds: float) -> None:
        """A line every `seconds`, for ever (the greenlet is killed at the test's stop)."""
        while True:
            gevent.sleep(seconds)
            self.line()

    def last(self) -> None:
        """The final line, unless one was printed a moment ago."""
        if time.monotonic() - self.last_t >= 0.5 or self.last_t == self.start:
            self.line()


def _warm_up(environment: Environment, seconds: float) -> None:
    """After `seconds`, forget the numbers so far: a step's first seconds do not count.

    Every process resets its own stats (a worker's unsent ones too); the master, or a process
    alone, says so on stdout, where the runner restarts its CPU sampling.
    """
    gevent.sleep(seconds)
    assert environment.runner is not None
    environment.runner.stats.reset_all()
    openmodel.RECORDER.reset()
    if not isinstance(environment.runner, WorkerRunner):
        print(f"warmup done elapsed_s={seconds:g}", flush=True)


def _install_warm_up(environment: Environment) -> None:
    warming: list[gevent.Greenlet] = []

    def start(**_: Any) -> None:
        options = environment.parsed_options
        if options is not None and options.warmup > 0:
            warming.append(gevent.spawn(_warm_up, environment, options.warmup))

    def stop(**_: Any) -> None:
        while warming:
            warming.pop().kill(block=False)

    environment.events.test_start.add_listener(start)
    environment.events.test_stop.add_listener(stop)


def _seed_target(environment: Environment) -> int:
    options = environment.parsed_options
    counts = [cls.scenario.seed for cls in environment.user_classes if hasattr(cls, "scenario")]
    open_model = openmodel.OpenModelUser
    if open_model in environment.user_classes and open_model.weight > 0 and options:
        counts.append(SCENARIOS[options.open_scenario].seed)
    return max(counts, default=0)


def _watch_joins(runner: MasterRunner, expected: int) -> None:
    """Print how many workers have joined whenever that changes, until the test starts.

    The runner reads these lines: a master that gives up waiting exits before any progress line,
    and they let it say how many workers did come.
    """
    last = -1
    while True:
        if (joined := len(runner.clients.ready)) != last:
            print(f"workers joined={joined} expected={expected}", flush=True)
            last = joined
        gevent.sleep(0.5)


def _install_tally(environment: Environment, runner: MasterRunner) -> None:
    tally = workers.Tally()
    environment.events.worker_report.add_listener(tally.on_report)

    def write(**_: Any) -> None:
        options = environment.parsed_options
        if options is not None and options.workers_report:
            tally.write(Path(options.workers_report))

    # quit fires after the master has waited for its workers' final reports.
    environment.events.quit.add_listener(write)
    options = environment.parsed_options
    if options is not None and options.headless:
        joins = gevent.spawn(_watch_joins, runner, options.expect_workers)
        environment.events.test_start.add_listener(lambda **_: joins.kill(block=False))


def on_init(environment: Environment, **_: Any) -> None:
    """Install the open model everywhere; on the master (or alone), progress and seeding too."""
    openmodel.install(environment)
    _install_warm_up(environment)
    if isinstance(environment.runner, WorkerRunner):
        probe = workers.CpuProbe()
        environment.events.test_start.add_listener(probe.start)
        environment.events.report_to_master.add_listener(probe.add_to)
        return
    if isinstance(environment.runner, MasterRunner):
        _install_tally(environment, environment.runner)
    progress: list[tuple[_Progress, gevent.Greenlet]] = []

    def on_test_start(**_: Any) -> None:
        options = environment.parsed_options
        assert options is not None
        assert environment.runner is not None
        openmodel.admit(environment)
        # Workers learn the total user count from here: the open rate is shared among them.
        options.open_users = environment.runner.target_user_count
        if (count := _seed_target(environment)) and environment.host:
            created = seed.ensure_stored(environment.host, count)
            logger.info("seeded %d tasks so the store holds at least %d", created, count)
        if isinstance(environment.runner, MasterRunner):
            print(f"started workers={environment.runner.worker_count}", flush=True)
        if options.progress_every > 0:
            lines = _Progress(environment)
            progress.append((lines, gevent.spawn(lines.every, options.progress_every)))

    def on_test_stop(**_: Any) -> None:
        openmodel.release()
        while progress:
            lines, greenlet = progress.pop()
            greenlet.kill(block=False)
            lines.last()

    environment.events.test_start.add_listener(on_test_start)
    environment.events.test_stop.add_listener(on_test_stop)
