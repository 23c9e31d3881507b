"""Headers every answer carries, whatever its status, and what no answer gives away."""

from __future__ import annotations

from taskservice.datamodel import Task
from taskservice.store import MemoryStore, Store
from tests.integration.support import AppTestCase


class _BrokenStore(MemoryStore):
    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        raise ZeroDivisionError("a bug")


class TestEveryAnswer(AppTestCase):
    def test_every_status_carries_nosniff_and_no_server_banner(self) -> None:
        task = "/tasks/" + self.create({"title": "t"})
        etag = self.request("GET", task).headers["ETag"]
        requests: list[tuple[str, str, str | None, dict[str, str], int]] = [
            ("GET", "/tasks", None, {}, 200),
            ("POST", "/tasks", '{"title": "u"}', {}, 201),
            ("GET", task, None, {"If-None-Match": etag}, 304),
            ("PUT", task, '{"title": "v"}', {"If-Match": etag}, 204),
            ("PUT", task, '{"title": "w"}', {"If-Match": etag}, 412),
            ("POST", "/tasks", "{", {}, 400),
            ("GET", "/tasks/" + "0" * 32, None, {}, 404),
            ("GET", "/no/such/thing", None, {}, 404),
            ("PATCH", "/tasks", "{}", {}, 405),
            ("POST", "/tasks", "x" * 70_000, {}, 413),
            ("GET", "/openapi.json", None, {}, 200),
            ("HEAD", "/healthz", None, {}, 200),
        ]
        for method, path, body, headers, status in requests:
            response = self.request(method, path, body, headers=headers)
            assert response.code == status, (method, path, response.body)
            assert response.headers.get("X-Content-Type-Options") == "nosniff", (method, path)
            assert "Server" not in response.headers, (method, path)


class TestServerError(AppTestCase):
    def make_store(self) -> Store:
        return _BrokenStore()

    def test_500_carries_nosniff_too(self) -> None:
        response = self.request("GET", "/tasks")
        assert response.code == 500
        assert response.headers["X-Content-Type-Options"] == "nosniff"
