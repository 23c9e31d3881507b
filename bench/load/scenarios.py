"""The scenario registry: each name maps to a weighted mix of task functions and a locust class."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bench.load import bad_input, tasks
from bench.load.tasks import TaskFn


@dataclass(frozen=True)
class Scenario:
    """A named mix of weighted tasks, with a per-user set-up and a store to seed beforehand."""

    name: str
    user_class: str
    about: str
    tasks: Mapping[TaskFn, int]
    setup: TaskFn | None = None
    seed: int = 0


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "crud",
            "CrudUser",
            "a lifecycle per user: create, read it back, update, list, sometimes delete",
            {tasks.crud_lifecycle: 1},
        ),
        Scenario(
            "read-heavy",
            "ReadHeavyUser",
            "about 90% GET (one task, sometimes the list) over 5 owned tasks; 10% writes",
            {tasks.read_one: 80, tasks.list_holding_one: 10, tasks.update_one: 7, tasks.create: 3},
            setup=tasks.create_some,
        ),
        Scenario(
            "write-heavy",
            "WriteHeavyUser",
            "about 90% writes: create (deleting the oldest past 5 owned) and update; 10% GET",
            {tasks.create: 4, tasks.update_one: 5, tasks.read_one: 1},
            setup=tasks.create_some,
        ),
        Scenario(
            "list",
            "ListUser",
            f"GET /tasks with {tasks.LIST_SIZE} tasks stored (seeded before the run, unmeasured)",
            {tasks.list_many: 1},
            seed=tasks.LIST_SIZE,
        ),
        Scenario(
            "bad-input",
            "BadInputUser",
            "malformed bodies, unknown ids, wrong methods: a JSON 4xx passes, a 5xx fails",
            bad_input.MIX,
            setup=bad_input.own_one,
        ),
    )
}
MAIN = ("crud", "read-heavy", "write-heavy", "list")
"""The scenarios the standard load benchmark runs."""
