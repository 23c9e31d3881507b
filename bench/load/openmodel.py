"""Open model for locust: iterations arrive at a constant rate, whatever the response times.

Locust's users are a closed model: a slow answer delays the next request, so queueing delay never
shows ("coordinated omission"). Here each iteration has an intended start (its arrival), runs in
its own greenlet, and every request is recorded twice: by locust from its actual start, and here
from its intended start, so a generator or server that falls behind shows up in the latency.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import gevent
from gevent.pool import Pool
from locust import FastHttpUser, task
from locust.env import Environment
from locust.runners import WorkerRunner
from locust.stats import RequestStats, StatsEntry

from bench.load.api import Api, Client, Owned
from bench.load.scenarios import SCENARIOS

MAX_IN_FLIGHT = 1000
"""Iterations one open-model user keeps in flight; arrivals beyond it are counted as dropped."""

logger = logging.getLogger("taskservice.load")


@dataclass
class Recorder:
    """This process's open-model numbers; workers ship them to the master, which merges them."""

    intended: RequestStats = field(default_factory=RequestStats)
    lag: RequestStats = field(default_factory=RequestStats)
    counts: dict[str, float] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def mark(self, key: str, value: float, keep: Callable[[float, float], float] = max) -> None:
        self.counts[key] = keep(self.counts[key], value) if key in self.counts else value

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float,
        response_length: int,
        exception: Exception | None,
        start_time: float,
        context: dict[str, Any],
        **_: Any,
    ) -> None:
        """Record a request of an open-model iteration from its intended start."""
        if "due" not in context:
            return
        due = context["due"]
        late_ms = max(0.0, (start_time - due) * 1000) if due is not None else 0.0
        entry = self.intended.get(name, request_type)
        entry.log(response_time + late_ms, response_length)  # type: ignore[arg-type]
        if exception is not None:
            entry.log_error(exception)
        if due is not None:
            self.lag.get("iteration start", "LAG").log(late_ms, 0)  # type: ignore[arg-type]

    def reset(self) -> None:
        """Forget everything recorded so far (the end of a warm-up)."""
        self.intended.reset_all()
        self.lag.reset_all()
        self.counts = {}

    def ship(self) -> dict[str, Any]:
        """This process's numbers since the last shipment (a worker's report to the master)."""
        data = {
            "intended": self.intended.serialize_stats(),
            "lag": self.lag.serialize_stats(),
            "counts": self.counts,
        }
        self.counts = {}
        return data

    def merge(self, data: dict[str, Any]) -> None:
        """Fold a worker's shipment into this (the master's) recorder."""
        for stats, key in ((self.intended, "intended"), (self.lag, "lag")):
            for raw in data[key]:
                entry = StatsEntry.unserialize(raw, stats)
                stats.get(entry.name, entry.method).extend(entry)
        for key, value in data["counts"].items():
            if key == "first_start":
                self.mark(key, value, min)
            elif key.startswith(("last", "peak")):
                self.mark(key, value, max)
            else:
                self.count(key, value)


RECORDER = Recorder()


def install(environment: Environment) -> None:
    """Wire the recorder into locust's events: requests, worker reports, the final report."""
    events = environment.events
    events.request.add_listener(RECORDER.on_request)
    if isinstance(environment.runner, WorkerRunner):
        events.report_to_master.add_listener(
            lambda client_id, data: data.__setitem__("open_model", RECORDER.ship())
        )
        return
    events.worker_report.add_listener(
        lambda client_id, data: RECORDER.merge(data["open_model"]) if "open_model" in data else None
    )

    def write_report(**_: Any) -> None:
        options = environment.parsed_options
        if options is not None and options.open_report and RECORDER.counts:
            path = Path(options.open_report)
            report = {"target_rate": options.open_rate, **RECORDER.ship()}
            path.write_text(json.dumps(report, indent=1) + "\n")

    events.quit.add_listener(write_report)


class OpenModelUser(FastHttpUser):
    """Open model: --open-rate iterations/s of --open-scenario in all, shared among these users."""

    concurrency = 200  # connections, so concurrent iterations need not queue for one

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        # Here, not in on_start: locust calls on_stop even when on_start did not finish.
        self.pool = Pool(MAX_IN_FLIGHT)
        self.owned = Owned()
        self.rate = 0.0

    def on_start(self) -> None:
        options = self.environment.parsed_options
        assert options is not None
        self.scenario = SCENARIOS[options.open_scenario]
        self.rate = float(options.open_rate) / max(1, int(options.open_users or 1))
        if self.rate > 0 and self.scenario.setup is not None:
            self.scenario.setup(Api(cast(Client, self.client), self.owned))

    def on_stop(self) -> None:
        self.pool.kill(block=False)

    @task
    def arrive(self) -> None:
        """Start an iteration every 1/rate seconds, late ones at once, never waiting for answers."""
        if self.rate <= 0:
            # Only when open_rate was set to 0 in a running test: admit() keeps this class out of
            # a test started without a rate. Idle until stopped rather than fail.
            gevent.sleep(1.0)
            return
        interval = 1.0 / self.rate
        due = time.time() + random.random() * interval  # users out of step with each other
        tasks, weights = list(self.scenario.tasks), list(self.scenario.tasks.values())
        while True:
            delay = due - time.time()
            if delay > 0:
                gevent.sleep(delay)
            if self.pool.full():
                RECORDER.count("dropped")
            else:
                self.pool.spawn(self._iteration, due, random.choices(tasks, weights)[0])
                RECORDER.mark("peak_in_flight", len(self.pool))
            due += interval

    def _iteration(self, due: float, fn: Any) -> None:
        now = time.time()
        RECORDER.count("arrivals")
        RECORDER.mark("first_start", now, min)
        RECORDER.mark("last_start", now)
        fn(Api(cast(Client, self.client), self.owned, due=due, open_model=True))
        RECORDER.count("completed")
        RECORDER.mark("last_done", time.time())


OPEN_WEIGHT = OpenModelUser.weight
"""The open model's weight among the classes of a test that gives it a rate."""


def admit(environment: Environment) -> None:
    """At a test's start: the open model gets users only when it has a rate (test_start).

    Locust's class picker, and `POST /swarm` naming no class, run every class, the open model
    included; with no rate it has nothing to send. With weight 0 locust's dispatcher gives it
    no users, so the closed-model classes picked with it run as asked. The weight is set before
    the dispatcher counts users, on the master too, and restored at the test's end (`release`),
    since the web UI drops weight-0 classes from the next test's selection.
    """
    options = environment.parsed_options
    rate = float(options.open_rate) if options is not None else 0.0
    picked = OpenModelUser in environment.user_classes
    OpenModelUser.weight = OPEN_WEIGHT if rate > 0 else 0
    if picked and rate <= 0:
        alone = len(environment.user_classes) == 1
        (logger.warning if alone else logger.info)(
            "open model left out: OpenModelUser runs only with open_rate above 0 "
            "(the web UI's open_rate field, or ./run.py load --rate R)%s",
            "; no user class is left to run" if alone else "",
        )


def release(**_: Any) -> None:
    """At a test's end: the open model's weight as it was, for the next test to pick it."""
    OpenModelUser.weight = OPEN_WEIGHT
