"""The service's API as the load scenarios call it: every request checked, named for the stats."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from bench.load import checks
from bench.load.checks import Task

JSON_HEADERS = {"Content-Type": "application/json"}


class Response(Protocol):
    """What `with client.request(..., catch_response=True)` yields in locust's FastHttpSession."""

    status_code: int
    content: bytes | None
    headers: Any

    def success(self) -> None: ...

    def failure(self, exc: Any) -> None: ...


class Client(Protocol):
    """The slice of locust's FastHttpSession the scenarios use."""

    def request(
        self,
        method: str,
        url: str,
        name: str | None = None,
        data: Any = None,
        catch_response: bool = False,
        headers: dict[str, str] | None = None,
        context: dict[str, Any] = ...,
    ) -> AbstractContextManager[Any]: ...


@dataclass
class Owned:
    """The tasks one simulated user (or one open-model generator) owns, oldest first."""

    tasks: dict[str, Task] = field(default_factory=dict)

    def oldest(self) -> str | None:
        return next(iter(self.tasks), None)

    def take(self, task_id: str) -> Task | None:
        """Remove a task from the pool while a request works on it, so no one else touches it."""
        return self.tasks.pop(task_id, None)


@dataclass
class Api:
    """Checked calls for one iteration; `due`: the open model's intended start of its first call."""

    client: Client
    owned: Owned
    due: float | None = None
    open_model: bool = False

    @contextmanager
    def _call(
        self, method: str, url: str, name: str, body: str | bytes | None = None
    ) -> Iterator[Response]:
        context: dict[str, Any] = {}
        if self.open_model:
            # Only the first request of an iteration can start late; the rest follow at once.
            context["due"], self.due = self.due, None
        headers = JSON_HEADERS if body is not None else None
        with self.client.request(
            method,
            url,
            name=name,
            data=body,
            headers=headers,
            catch_response=True,
            context=context,
        ) as response:
            yield response

    @staticmethod
    def _verdict(response: Response, problem: str | None) -> bool:
        error = getattr(response, "error", None)
        problem = checks.problem_or_no_response(response.status_code, error, problem)
        if problem is None:
            response.success()
            return True
        response.failure(problem)
        return False

    def create(self, task: Task) -> str | None:
        """POST /tasks; the new task joins the owned pool. Returns its id, or None on failure."""
        with self._call("POST", "/tasks", "/tasks", json.dumps(task)) as r:
            location = r.headers.get("Location") if r.headers is not None else None
            problem, task_id = checks.created(r.status_code, location, r.content or b"")
            self._verdict(r, problem)
        return task_id

    def read(self, task_id: str, expected: Task) -> bool:
        """GET /tasks/{id}, expecting exactly `expected`."""
        with self._call("GET", f"/tasks/{task_id}", "/tasks/{id}") as r:
            return self._verdict(r, checks.task_body(r.status_code, r.content or b"", expected))

    def replace(self, task_id: str, task: Task) -> bool:
        """PUT /tasks/{id}."""
        with self._call("PUT", f"/tasks/{task_id}", "/tasks/{id}", json.dumps(task)) as r:
            return self._verdict(r, checks.no_content(r.status_code, r.content or b""))

    def delete(self, task_id: str) -> bool:
        """DELETE /tasks/{id}."""
        with self._call("DELETE", f"/tasks/{task_id}", "/tasks/{id}") as r:
            return self._verdict(r, checks.no_content(r.status_code, r.content or b""))

    def list(self, holds: Mapping[str, Task], at_least: int = 0, query: str = "") -> bool:
        """GET /tasks[?query]: a page of at least `at_least` tasks, `holds` among them as stored."""
        url = f"/tasks?{query}" if query else "/tasks"
        with self._call("GET", url, "/tasks") as r:
            problem = checks.listing(r.status_code, r.content or b"", holds, at_least)
            return self._verdict(r, problem)

    def reject(self, method: str, url: str, name: str, body: str | bytes | None = None) -> bool:
        """Send bad input, expecting a 4xx with a JSON error body."""
        with self._call(method, url, name, body) as r:
            return self._verdict(r, checks.rejected(r.status_code, r.content or b""))
