"""The good-path scenario tasks: plain functions over `Api`, shared by closed and open users."""

from __future__ import annotations

import random
from collections.abc import Callable

from bench.load.api import Api
from bench.load.checks import Task
from taskservice.paging import DEFAULT_PAGE_SIZE

TaskFn = Callable[[Api], None]

KEEP = 5
"""Tasks a simulated user keeps; older ones are deleted, so the store and GET /tasks stay small."""
LIST_SIZE = 1000
"""Tasks stored before the `list` scenario starts: ten pages of GET /tasks's default size."""
PRIORITIES = ("urgent", "high", "normal", "low", "none")


def new_task() -> Task:
    """A valid task with every defaulted field set, so a GET must return exactly this."""
    task: Task = {
        "title": f"load task {random.randrange(10**9)}",
        "priority": random.choice(PRIORITIES),
        "completed": False,
    }
    if random.random() < 0.5:
        task["description"] = "written by the load harness " * random.randrange(1, 8)
    if random.random() < 0.5:
        task["due_date"] = random.randrange(1_700_000_000, 1_900_000_000)
    return task


def edited(task: Task) -> Task:
    """The same task, renamed and completed, as a PUT replaces it."""
    return {**task, "title": task["title"] + " (done)", "completed": True}


def keep(api: Api, task_id: str, task: Task) -> None:
    """Own a task; past KEEP, delete the oldest."""
    api.owned.tasks[task_id] = task
    while len(api.owned.tasks) > KEEP:
        oldest = api.owned.oldest()
        if oldest is not None and api.owned.take(oldest) is not None:
            api.delete(oldest)


def borrow(api: Api) -> tuple[str, Task] | None:
    """Take an owned task out of the pool while one iteration works on it (open-model safe)."""
    if not api.owned.tasks:
        return None
    task_id = random.choice(list(api.owned.tasks))
    task = api.owned.take(task_id)
    return None if task is None else (task_id, task)


def create_some(api: Api) -> None:
    """Set-up: own KEEP tasks to read and update."""
    for _ in range(KEEP):
        create(api)


def crud_lifecycle(api: Api) -> None:
    """Create a task, read it back, update it, list, and delete it (now, or once it is old)."""
    task = new_task()
    task_id = api.create(task)
    if task_id is None:
        return
    api.read(task_id, task)
    task = edited(task)
    if api.replace(task_id, task):
        api.list({task_id: task}, query=page_from(task_id))
    if random.random() < 1 / 3:
        api.delete(task_id)
    else:
        keep(api, task_id, task)


def create(api: Api) -> None:
    """POST a task and own it (which may delete the oldest)."""
    task = new_task()
    task_id = api.create(task)
    if task_id is not None:
        keep(api, task_id, task)


def read_one(api: Api) -> None:
    """GET an owned task and compare it with what was written."""
    borrowed = borrow(api)
    if borrowed is None:
        return create(api)
    task_id, task = borrowed
    api.read(task_id, task)
    api.owned.tasks[task_id] = task


def update_one(api: Api) -> None:
    """PUT a new version of an owned task."""
    borrowed = borrow(api)
    if borrowed is None:
        return create(api)
    task_id, task = borrowed
    new = edited(task) if not task["completed"] else {**task, "completed": False}
    # A failed PUT leaves the stored task as it was: later reads must expect that one.
    api.owned.tasks[task_id] = new if api.replace(task_id, new) else task


def list_holding_one(api: Api) -> None:
    """GET /tasks and find an owned task in it, unchanged."""
    borrowed = borrow(api)
    if borrowed is None:
        api.list({})
    else:
        api.list(dict([borrowed]), query=page_from(borrowed[0]))
        api.owned.tasks[borrowed[0]] = borrowed[1]


def list_many(api: Api) -> None:
    """GET /tasks with at least LIST_SIZE tasks stored: a full first page."""
    api.list({}, at_least=min(LIST_SIZE, DEFAULT_PAGE_SIZE))


def page_from(task_id: str) -> str:
    """The query for a page of GET /tasks that starts with this task.

    Pages run in id order after `after`; ids are 32 hex digits, so the id one below is the
    `after` whose page opens with this task, wherever it sits in a big store.
    """
    return f"limit=10&after={int(task_id, 16) - 1:032x}"
