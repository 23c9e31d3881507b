"""An in-memory stand-in for the service's HTTP API, shaped like locust's FastHttpSession."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from taskservice.paging import DEFAULT_PAGE_SIZE

_TASK = re.compile(r"/tasks/([0-9a-f]{32})")
_FIELDS = {"title", "description", "priority", "completed", "due_date"}
_PRIORITIES = {"urgent", "high", "normal", "low", "none"}


def _refuse(constant: str) -> float:
    raise ValueError(f"{constant} is not JSON")


@dataclass
class FakeResponse:
    """A response as a `with client.request(..., catch_response=True)` block sees it."""

    status_code: int
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: object = None
    result: bool | str | None = None  # what the block reported: True, or the failure message

    def success(self) -> None:
        self.result = True

    def failure(self, exc: Any) -> None:
        self.result = str(exc)

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@dataclass
class Call:
    """One request the scenario made, and how it judged the answer."""

    method: str
    name: str
    context: dict[str, Any]
    response: FakeResponse
    url: str = ""


@dataclass
class FakeService:
    """Answers like the real service; `broken` names a misbehaviour to inject."""

    broken: str = ""
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    next_id: int = 1

    def request(
        self,
        method: str,
        url: str,
        name: str | None = None,
        data: Any = None,
        catch_response: bool = False,
        headers: dict[str, str] | None = None,
        context: dict[str, Any] | None = None,
    ) -> FakeResponse:
        assert catch_response, "every scenario request must be checked"
        response = self._answer(method, url, data)
        self.calls.append(Call(method, name or url, dict(context or {}), response, url))
        return response

    @staticmethod
    def _error(status: int) -> FakeResponse:
        return FakeResponse(status, json.dumps({"code": status, "message": "no"}).encode())

    def _valid(self, data: Any) -> dict[str, Any] | None:
        try:
            body = json.loads(data or "", parse_constant=_refuse)
        except ValueError:
            return None
        if not isinstance(body, dict) or set(body) - _FIELDS:
            return None
        ok = isinstance(body.get("title"), str) and body["title"]
        return body if ok and body.get("priority", "none") in _PRIORITIES else None

    def _answer(self, method: str, url: str, data: Any) -> FakeResponse:
        if self.broken == "down":
            return FakeResponse(0, error=ConnectionRefusedError("refused"))
        if self.broken == "500":
            return self._error(500)
        if self.broken == "put-503" and method == "PUT":
            return self._error(503)
        path, _, query = url.partition("?")
        if path == "/tasks":
            return self._collection(method, data, parse_qs(query))
        match = _TASK.fullmatch(url)
        if match is None:
            return self._error(404)
        return self._one(method, match.group(1), data)

    def _collection(self, method: str, data: Any, query: dict[str, list[str]]) -> FakeResponse:
        if method == "GET":  # one page in id order, as the real service pages
            after = query.get("after", [""])[0]
            limit = int(query.get("limit", [str(DEFAULT_PAGE_SIZE)])[0])
            page = {k: v for k, v in sorted(self.tasks.items()) if k > after}
            return FakeResponse(200, json.dumps(dict(list(page.items())[:limit])).encode())
        if method != "POST":
            return self._error(405)
        task = self._valid(data)
        if task is None and self.broken != "accepts-anything":
            return self._error(400)
        task_id = f"{self.next_id:032x}"
        self.next_id += 1
        self.tasks[task_id] = task or {}
        return FakeResponse(201, headers={"Location": f"/tasks/{task_id}"})

    def _one(self, method: str, task_id: str, data: Any) -> FakeResponse:
        if task_id not in self.tasks:
            return self._error(404)
        if method == "GET":
            return FakeResponse(200, json.dumps(self.tasks[task_id]).encode())
        if method == "DELETE":
            del self.tasks[task_id]
            return FakeResponse(204)
        task = self._valid(data)
        if task is None:
            return self._error(400)
        if self.broken != "loses-updates":
            self.tasks[task_id] = task
        return FakeResponse(204)

    def failures(self) -> list[Call]:
        return [c for c in self.calls if c.response.result is not True]
