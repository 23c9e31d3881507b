"""Locust scenarios for taskservice: `./run.py load --list` names them, `./run.py load` runs them.

Run through `./run.py load`, or by hand from the repository root:
    .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8080 CrudUser

One user class per scenario (`crud`, `read-heavy`, `write-heavy`, `list`, `bad-input`) runs the
scenario's weighted tasks back to back (the closed model); `OpenModelUser` runs any scenario at a
constant arrival rate instead (`--open-rate`, `--open-scenario`). The shapes `step` and `spike`
are exposed by name through TASKSERVICE_LOAD_SHAPES, since locust runs the first shape it finds.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any, ClassVar, cast

# locust imports this file by path: make the repository's packages importable from anywhere.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import locust.stats  # noqa: E402
from locust import FastHttpUser, constant, events  # noqa: E402

from bench.load import buckets, hooks, shapes  # noqa: E402
from bench.load.api import Api, Client, Owned  # noqa: E402
from bench.load.openmodel import OpenModelUser  # noqa: E402
from bench.load.plans import SHAPES_ENV  # noqa: E402
from bench.load.scenarios import SCENARIOS, Scenario  # noqa: E402
from bench.load.tasks import TaskFn  # noqa: E402

# This service answers in a few milliseconds: keep a tenth of a millisecond below 10 ms, where
# locust's own buckets would round 1.4 ms and 0.6 ms alike to 1 ms.
# locust types the bucket as int; any number serves as a histogram key (and in its JSON).
locust.stats.bucket_response_time = buckets.bucket_ms  # type: ignore[assignment]
events.init_command_line_parser.add_listener(hooks.add_options)
events.init.add_listener(hooks.on_init)
__all__ = ["OpenModelUser"]


def _as_locust_task(fn: TaskFn) -> Any:
    """A scenario task as locust calls a plain-function task: with the user."""

    @functools.wraps(fn)
    def run(user: ScenarioUser) -> None:
        fn(user.api)

    return run


class ScenarioUser(FastHttpUser):
    """One simulated user running a scenario's tasks back to back, with its own owned tasks."""

    abstract = True
    wait_time = constant(0)  # no think time: --users is the concurrency of a closed model
    scenario: ClassVar[Scenario]

    def on_start(self) -> None:
        self.api = Api(cast(Client, self.client), Owned())
        if self.scenario.setup is not None:
            self.scenario.setup(self.api)


def _tasks(name: str) -> Any:
    return {_as_locust_task(fn): weight for fn, weight in SCENARIOS[name].tasks.items()}


class CrudUser(ScenarioUser):
    """crud: create, read it back, update, list, sometimes delete."""

    scenario = SCENARIOS["crud"]
    tasks = _tasks("crud")


class ReadHeavyUser(ScenarioUser):
    """read-heavy: about 90% GET."""

    scenario = SCENARIOS["read-heavy"]
    tasks = _tasks("read-heavy")


class WriteHeavyUser(ScenarioUser):
    """write-heavy: about 90% POST, PUT and DELETE."""

    scenario = SCENARIOS["write-heavy"]
    tasks = _tasks("write-heavy")


class ListUser(ScenarioUser):
    """list: GET /tasks over a store seeded with many tasks."""

    scenario = SCENARIOS["list"]
    tasks = _tasks("list")


class BadInputUser(ScenarioUser):
    """bad-input: malformed requests; a 4xx with a JSON error passes, a 5xx fails."""

    scenario = SCENARIOS["bad-input"]
    tasks = _tasks("bad-input")


# Locust runs the first shape class it finds in this module, so expose only those asked for.
for _name in filter(None, os.environ.get(SHAPES_ENV, "").split(",")):
    globals()[shapes.BY_NAME[_name].__name__] = shapes.BY_NAME[_name]
