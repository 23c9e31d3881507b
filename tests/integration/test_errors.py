"""Every error path: a clear 4xx (or 503) JSON error, never a 500 or a trace, nothing lost."""

from __future__ import annotations

import json
from typing import Any

import tornado.testing

from taskservice.config import Config
from taskservice.datamodel import Task
from taskservice.errors import StoreError
from taskservice.store import MemoryStore, Store, Versioned
from tests.integration.support import AppTestCase
from tests.support.transport import method_status


class TestNotFoundAndMethods(AppTestCase):
    def test_get_unknown_id_returns_404(self) -> None:
        response = self.request("GET", "/tasks/" + "0" * 32)
        body = self.assert_json_error(response, 404, "not found")
        assert body["uri"] == "/tasks/" + "0" * 32
        assert response.reason == "Not Found"

    def test_put_unknown_id_returns_404_and_creates_nothing(self) -> None:
        response = self.request("PUT", "/tasks/" + "0" * 32, '{"title": "x"}')
        self.assert_json_error(response, 404, "not found")
        assert self.request("GET", "/tasks").body == b"{}"

    def test_delete_unknown_id_returns_404(self) -> None:
        self.assert_json_error(self.request("DELETE", "/tasks/" + "0" * 32), 404, "not found")

    def test_malformed_ids_return_404(self) -> None:
        for path in ("/tasks/nope", "/tasks/%00", "/tasks/..%2F..%2Fetc", "/tasks/" + "a" * 500):
            self.assert_json_error(self.request("GET", path), 404, "not found")

    def test_invalid_percent_encoding_in_id_returns_400(self) -> None:
        self.assert_json_error(self.request("GET", "/tasks/%ff%fe"), 400, "Invalid unicode")

    def test_unknown_endpoint_returns_404_json(self) -> None:
        for method in ("GET", "POST", "DELETE"):
            body = self.assert_json_error(self.request(method, "/nope"), 404, "no such endpoint")
            assert body["uri"] == "/nope"

    def test_wrong_method_returns_405_with_allow_header(self) -> None:
        cases = [
            ("PATCH", "/tasks", "GET, POST"),
            ("DELETE", "/tasks", "GET, POST"),
            ("PUT", "/tasks", "GET, POST"),
            ("POST", "/tasks/" + "0" * 32, "GET, PUT, DELETE"),
            ("PATCH", "/tasks/" + "0" * 32, "GET, PUT, DELETE"),
            ("POST", "/healthz", "GET, HEAD"),
        ]
        for method, path, allow in cases:
            response = self.request(method, path, "{}")
            self.assert_json_error(response, 405, "Method Not Allowed")
            assert response.headers["Allow"] == allow

    def test_unknown_method_returns_405(self) -> None:
        response = self.request("BREW", "/tasks")
        if self.http == "llhttp":  # llhttp knows a fixed set of methods, and BREW is not one
            self.assert_json_error(response, 400, "unknown HTTP method")
        else:
            self.assert_json_error(response, 405, "Method Not Allowed")

    def test_unknown_endpoint_is_404_whatever_the_method(self) -> None:
        for method in ("BREW", "PATCH", "OPTIONS"):
            response = self.request(method, "/nope")
            if method_status(self.http, method, 404) == 400:
                self.assert_json_error(response, 400, "unknown HTTP method")
            else:
                self.assert_json_error(response, 404, "no such endpoint")

    def test_unpaired_surrogate_in_a_field_name_gets_a_json_400(self) -> None:
        response = self.request("POST", "/tasks", b'{"title": "t", "\\ud800": 1}')
        body = self.assert_json_error(response, 400, "unknown field")
        assert "\\ud800" in body["message"]

    def test_long_unknown_field_name_is_cut_in_the_message(self) -> None:
        response = self.request("POST", "/tasks", '{"title": "t", "' + "k" * 5000 + '": 1}')
        body = self.assert_json_error(response, 400, "unknown field")
        assert len(body["message"]) < 200


class TestBadBodies(AppTestCase):
    BAD_BODIES: tuple[tuple[bytes, str], ...] = (
        (b"", "request body is empty"),
        (b"not json", "invalid JSON"),
        (b'{"title": "Task1"', "invalid JSON"),
        (b"{" * 5000, "invalid JSON"),
        (b"[" * 50_000, "nested too deeply"),
        (b'{"title": "t", "description": ' + b"[" * 50_000 + b"}", "nested too deeply"),
        (b'{"title": "t", "due_date": NaN}', "NaN is not a number"),
        (b'{"title": "t", "due_date": Infinity}', "Infinity is not a number"),
        (b'{"title": "\xff\xfe"}', "not valid UTF-8"),
        (b'\xef\xbb\xbf{"title": "t"}', "Unexpected UTF-8 BOM"),
        (b'{"title": "\\ud800"}', "title: contains an unpaired unicode surrogate"),
        (b'["title"]', "expected a JSON object, got an array"),
        (b'"Task1"', "expected a JSON object, got a string"),
        (b"null", "expected a JSON object, got null"),
        (b"{}", "title: required"),
        (b'{"title": ""}', "title: must not be empty"),
        (b'{"title": "t", "owner": "me"}', "owner: unknown field"),
        (b'{"title": "t", "priority": "asap"}', "priority: must be one of"),
        (b'{"title": "t", "completed": 0}', "completed: must be true or false"),
        (b'{"title": "t", "due_date": "soon"}', "due_date: must be a number"),
        (b'{"title": "t", "due_date": 1' + b"0" * 30 + b"}", "64-bit range"),
    )

    def test_bad_post_bodies_return_400_and_store_nothing(self) -> None:
        for raw, message in self.BAD_BODIES:
            response = self.request("POST", "/tasks", raw)
            self.assert_json_error(response, 400, message)
            assert response.reason == "Bad Request"
        assert self.request("GET", "/tasks").body == b"{}"

    def test_rejected_put_leaves_the_stored_task_untouched(self) -> None:
        task_id = self.create({"title": "keep me", "priority": "high"})
        before = self.request("GET", f"/tasks/{task_id}").body
        for raw, message in self.BAD_BODIES:
            response = self.request("PUT", f"/tasks/{task_id}", raw)
            self.assert_json_error(response, 400, message)
        assert self.request("GET", f"/tasks/{task_id}").body == before


class TestBodyLimit(AppTestCase):
    config = Config(store_url="memory://", max_body_bytes=200)

    def body_of_size(self, size: int) -> bytes:
        head, tail = b'{"title": "', b'"}'
        return head + b"x" * (size - len(head) - len(tail)) + tail

    def test_body_at_the_limit_is_accepted(self) -> None:
        assert self.request("POST", "/tasks", self.body_of_size(200)).code == 201

    def test_body_over_the_limit_returns_413_and_stores_nothing(self) -> None:
        response = self.request("POST", "/tasks", self.body_of_size(201))
        self.assert_json_error(response, 413, "request body larger than 200 bytes")
        assert self.request("GET", "/tasks").body == b"{}"

    def test_chunked_body_over_the_limit_returns_413(self) -> None:
        async def producer(write: Any) -> None:
            for _ in range(10):
                await write(b"x" * 100)

        response = self.fetch("/tasks", method="POST", body_producer=producer, raise_error=False)
        assert response.code == 413, response.body
        assert json.loads(response.body)["code"] == 413

    @tornado.testing.gen_test
    async def test_chunked_body_refused_mid_way_says_connection_close(self) -> None:
        # Refused mid-body: the rest is never read, so the connection closes, and says so.
        chunk = b"x" * 300
        answer = await self.raw_exchange(
            b"POST /tasks HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n" % len(chunk)
            + chunk
            + b"\r\n0\r\n\r\n"
        )
        head = answer.partition(b"\r\n\r\n")[0]
        assert head.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert b"\r\nConnection: close" in head

    def test_put_over_the_limit_returns_413_and_keeps_the_task(self) -> None:
        task_id = self.create({"title": "keep"})
        response = self.request("PUT", f"/tasks/{task_id}", self.body_of_size(5000))
        self.assert_json_error(response, 413, "larger than")
        assert json.loads(self.request("GET", f"/tasks/{task_id}").body)["title"] == "keep"


class _FailingStore(MemoryStore):
    """A memory store whose reads fail, as a bug or a broken disk would."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    async def get(self, task_id: str) -> Versioned | None:
        raise self.error

    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        raise self.error


class TestServerFaults(AppTestCase):
    def make_store(self) -> Store:
        return _FailingStore(RuntimeError("secret internal detail"))

    def test_unexpected_exception_returns_500_json_without_detail(self) -> None:
        response = self.request("GET", "/tasks")
        body = self.assert_json_error(response, 500, "Internal Server Error")
        assert "secret" not in response.body.decode()
        assert "trace" not in body
        assert response.reason == "Internal Server Error"


class TestStoreUnavailable(AppTestCase):
    def make_store(self) -> Store:
        return _FailingStore(StoreError("database is locked"))

    def test_store_error_returns_503_json(self) -> None:
        response = self.request("GET", "/tasks/" + "0" * 32)
        self.assert_json_error(response, 503, "the task store is unavailable")
        assert "locked" not in response.body.decode()


class TestDebugTraces(AppTestCase):
    config = Config(store_url="memory://", debug=True)

    def make_store(self) -> Store:
        return _FailingStore(RuntimeError("boom"))

    def test_debug_adds_a_trace_field_to_errors(self) -> None:
        body = json.loads(self.request("GET", "/tasks").body)
        assert body["code"] == 500
        assert body["trace"].startswith("Traceback (most recent call last):")
        assert "RuntimeError: boom" in body["trace"]
        body = json.loads(self.request("POST", "/tasks", b"{").body)
        assert body["code"] == 400
        assert "ValidationError" in body["trace"]
