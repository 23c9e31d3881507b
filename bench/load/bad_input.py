"""The bad-input scenario: requests the service must refuse with a JSON 4xx, never a 5xx."""

from __future__ import annotations

import random
from collections.abc import Mapping

from bench.load import tasks
from bench.load.api import Api
from bench.load.tasks import TaskFn

BAD_BODIES: Mapping[str, str] = {
    "invalid json": '{"title": ',
    "not an object": '["a", "list"]',
    "empty body": "",
    "missing title": '{"priority": "high"}',
    "wrong type": '{"title": 42}',
    "bad priority": '{"title": "x", "priority": "whenever"}',
    "unknown field": '{"title": "x", "colour": "red"}',
    "NaN": '{"title": "x", "due_date": NaN}',
}


def _post(kind: str, body: str) -> TaskFn:
    def post_bad(api: Api) -> None:
        api.reject("POST", "/tasks", f"/tasks [{kind}]", body)

    post_bad.__name__ = f"post_{kind.replace(' ', '_')}"
    return post_bad


def _unknown_id() -> str:
    return f"{random.getrandbits(128):032x}"


def own_one(api: Api) -> None:
    """Set-up: own one task, so a rejected PUT can be checked to leave it untouched."""
    tasks.create(api)


def put_bad_then_read(api: Api) -> None:
    """A rejected PUT must leave the stored task exactly as it was."""
    borrowed = tasks.borrow(api)
    if borrowed is None:
        return own_one(api)
    task_id, task = borrowed
    api.reject("PUT", f"/tasks/{task_id}", "/tasks/{id} [bad body]", '{"title": ""}')
    api.read(task_id, task)
    api.owned.tasks[task_id] = task


def get_unknown(api: Api) -> None:
    """GET an id nobody created: 404."""
    api.reject("GET", f"/tasks/{_unknown_id()}", "/tasks/{id} [unknown]")


def delete_unknown(api: Api) -> None:
    """DELETE an id nobody created: 404."""
    api.reject("DELETE", f"/tasks/{_unknown_id()}", "/tasks/{id} [unknown]")


def unknown_endpoint(api: Api) -> None:
    """A path no route matches: 404."""
    api.reject("GET", "/no/such/endpoint", "/no/such/endpoint")


def wrong_method(api: Api) -> None:
    """DELETE on the collection: 405."""
    api.reject("DELETE", "/tasks", "/tasks [wrong method]")


MIX: Mapping[TaskFn, int] = {
    **{_post(kind, body): 2 for kind, body in BAD_BODIES.items()},
    put_bad_then_read: 2,
    get_unknown: 2,
    delete_unknown: 1,
    unknown_endpoint: 1,
    wrong_method: 1,
}
