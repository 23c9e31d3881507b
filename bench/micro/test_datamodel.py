"""Parsing and validating a task body, and serialising tasks to JSON."""

from __future__ import annotations

import json

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from taskservice import Task, ValidationError
from taskservice.datamodel import dump_json, task_from_json

pytestmark = pytest.mark.benchmark(group="validation and json")

BODIES = {
    "valid": json.dumps(
        {"title": "Pay rent", "description": "before the 5th", "priority": "high",
         "completed": False, "due_date": 1767225600}
    ).encode(),
    # Every field wrong, so validation reports them all.
    "invalid": json.dumps(
        {"title": 12, "description": ["x"], "priority": "soon", "completed": "no",
         "due_date": "tomorrow", "owner": "me"}
    ).encode(),
}  # fmt: skip
TASK = Task(title="Pay rent", description="before the 5th", priority="high", due_date=1767225600)


def _parse(body: bytes) -> Task | ValidationError:
    try:
        return task_from_json(body)
    except ValidationError as e:
        return e


@pytest.mark.parametrize("body", list(BODIES))
def test_parse_task(benchmark: BenchmarkFixture, body: str) -> None:
    result = benchmark(_parse, BODIES[body])
    assert isinstance(result, Task if body == "valid" else ValidationError)


def test_serialize_task(benchmark: BenchmarkFixture) -> None:
    assert json.loads(benchmark(lambda: dump_json(TASK.to_api()))) == TASK.to_api()


def test_serialize_list_100(benchmark: BenchmarkFixture) -> None:
    tasks = {f"{n:032x}": TASK for n in range(100)}
    body = benchmark(lambda: dump_json({task_id: t.to_api() for task_id, t in tasks.items()}))
    assert len(json.loads(body)) == 100
