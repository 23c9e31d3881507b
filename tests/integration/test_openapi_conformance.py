"""Every status openapi.yaml documents is one the server gives, and every answer conforms."""

from __future__ import annotations

import json
from collections.abc import Set
from typing import Any

from taskservice.datamodel import Task
from taskservice.errors import StoreError
from taskservice.store import MemoryStore, Store, Versioned
from tests.integration.support import AppTestCase
from tests.support.openapi import SpecChecker

ID_PATH = "/tasks/{task_id}"


class _SwitchableStore(MemoryStore):
    """A memory store that fails every call with StoreError while `broken` is set."""

    broken = False

    def _check(self) -> None:
        if self.broken:
            raise StoreError("simulated outage")

    async def create(self, task_id: str, task: Task) -> None:
        self._check()
        await super().create(task_id, task)

    async def get(self, task_id: str) -> Versioned | None:
        self._check()
        return await super().get(task_id)

    async def replace(
        self, task_id: str, task: Task, expected: Set[int] | None = None
    ) -> int | None:
        self._check()
        return await super().replace(task_id, task, expected)

    async def delete(self, task_id: str, expected: Set[int] | None = None) -> bool:
        self._check()
        return await super().delete(task_id, expected)

    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        self._check()
        return await super().list(after, limit)


class TestSpecConformance(AppTestCase):
    def make_store(self) -> Store:
        self.switchable = _SwitchableStore()
        return self.switchable

    def call(self, path: str, method: str, url: str, body: str | None = None, **kw: Any) -> Any:
        response = self.request(method, url, body, **kw)
        self.spec.check(path, method, response.code, dict(response.headers), response.body)
        return response

    def test_every_documented_status_is_given_and_every_answer_conforms(self) -> None:
        self.spec = SpecChecker()
        big = json.dumps({"title": "x" * 70_000})
        gone = "/tasks/" + "0" * 32

        # POST /tasks
        created = self.call("/tasks", "POST", "/tasks", '{"title": "one"}')
        task = created.headers["Location"]
        self.call("/tasks", "POST", "/tasks", '{"title": "two", "priority": "high"}')
        self.call("/tasks", "POST", "/tasks", '{"title": ""}')
        self.call("/tasks", "POST", "/tasks", big)
        # GET /tasks
        self.call("/tasks", "GET", "/tasks")
        assert "Link" in self.call("/tasks", "GET", "/tasks?limit=1").headers
        self.call("/tasks", "GET", "/tasks?limit=0")
        # GET /tasks/{id}
        etag = self.call(ID_PATH, "GET", task).headers["ETag"]
        self.call(ID_PATH, "GET", task, headers={"If-None-Match": etag})
        self.call(ID_PATH, "GET", "/tasks/%ff")
        self.call(ID_PATH, "GET", gone)
        # PUT /tasks/{id}
        self.call(ID_PATH, "PUT", task, '{"title": "one, again"}', headers={"If-Match": etag})
        self.call(ID_PATH, "PUT", task, '{"title": "lost"}', headers={"If-Match": etag})
        self.call(ID_PATH, "PUT", task, '{"title": 5}')
        self.call(ID_PATH, "PUT", gone, '{"title": "x"}')
        self.call(ID_PATH, "PUT", task, big)
        # DELETE /tasks/{id}
        self.call(ID_PATH, "DELETE", task, headers={"If-Match": etag})
        self.call(ID_PATH, "DELETE", task, headers={"If-Match": "not a tag"})
        self.call(ID_PATH, "DELETE", task, headers={"If-Match": "*"})
        self.call(ID_PATH, "DELETE", task)
        # The rest
        self.call("/healthz", "GET", "/healthz")
        self.call("/healthz", "HEAD", "/healthz")
        document = self.call("/openapi.json", "GET", "/openapi.json")
        assert json.loads(document.body) == self.spec.spec
        self.call(
            "/openapi.json",
            "GET",
            "/openapi.json",
            headers={"If-None-Match": document.headers["ETag"]},
        )
        # 503 from every operation that touches the store
        self.switchable.broken = True
        self.call("/tasks", "GET", "/tasks")
        self.call("/tasks", "POST", "/tasks", '{"title": "x"}')
        for method, body in (("GET", None), ("PUT", '{"title": "x"}'), ("DELETE", None)):
            self.call(ID_PATH, method, gone, body)

        for (path, method), statuses in sorted(self.spec.seen.items()):
            assert statuses == self.spec.documented_statuses(path, method), (path, method)
        documented = {
            (path, method.upper())
            for path, item in self.spec.spec["paths"].items()
            for method in item
            if method != "parameters"
        }
        assert set(self.spec.seen) == documented
