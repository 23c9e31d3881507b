"""The canonical line's db_ms: the time the request waited on the store, and only that."""

from __future__ import annotations

import asyncio

import tornado.web

from taskservice.datamodel import Task
from taskservice.observe.metrics import Metrics
from taskservice.store import MemoryStore, Store, Versioned
from taskservice.tornado.app import make_app
from tests.integration.support import AppTestCase
from tests.support.logfmt_parser import parse_logfmt
from tests.support.logs import captured

STORE_DELAY_S = 0.06


class _SlowReads(MemoryStore):
    """Reads take STORE_DELAY_S, as a store across a network might."""

    async def get(self, task_id: str) -> Versioned | None:
        await asyncio.sleep(STORE_DELAY_S)
        return await super().get(task_id)

    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        await asyncio.sleep(STORE_DELAY_S)
        return await super().list(after, limit)


class TestStoreTime(AppTestCase):
    def make_store(self) -> Store:
        return _SlowReads()

    def response_line(self, method: str, path: str, body: str | None = None) -> dict[str, str]:
        with captured() as logs:
            self.request(method, path, body)
        (line,) = logs.messages("RESPONSE")
        return dict(parse_logfmt(line))

    def test_db_ms_counts_the_store_wait_and_time_ms_includes_it(self) -> None:
        created = self.request("POST", "/tasks", '{"title": "read me"}')
        line = self.response_line("GET", created.headers["Location"])
        assert line["status"] == "200"
        db_ms = float(line["db_ms"])
        assert db_ms >= 1000 * STORE_DELAY_S
        assert float(line["time_ms"]) >= db_ms

    def test_db_ms_sums_every_store_call_of_the_request(self) -> None:
        # A list page is one store call here; two GETs are two requests, each with its own sum.
        first = self.response_line("GET", "/tasks")
        second = self.response_line("GET", "/tasks")
        for line in (first, second):
            assert 1000 * STORE_DELAY_S <= float(line["db_ms"]) < 2 * 1000 * STORE_DELAY_S + 50

    def test_a_request_that_never_reaches_the_store_has_db_ms_zero(self) -> None:
        assert self.response_line("GET", "/healthz")["db_ms"] == "0.0"
        assert self.response_line("GET", "/tasks/not-an-id")["db_ms"] == "0.0"

    def test_a_refused_body_waits_on_no_store(self) -> None:
        line = self.response_line("POST", "/tasks", '{"title": 7}')
        assert (line["status"], line["db_ms"]) == ("400", "0.0")


class TestRequestMetrics(AppTestCase):
    """With metrics, make_app counts each answer by its route template, not its path."""

    def get_app(self) -> tornado.web.Application:
        super().get_app()  # the store and the service, as every test here has them
        self.metrics = Metrics()
        return make_app(self.config, self.service, self.metrics)

    def count(self, route: str, method: str, status: int) -> float | None:
        labels = {"route": route, "method": method, "status": str(status)}
        return self.metrics.registry.get_sample_value("taskservice_requests_total", labels)

    def test_answers_are_counted_under_their_route_template(self) -> None:
        created = self.request("POST", "/tasks", '{"title": "t"}')
        self.request("GET", created.headers["Location"])
        self.request("GET", created.headers["Location"])
        self.request("GET", "/tasks/01ARZ3NDEKTSV4RRFFQ69G5FAV")
        self.request("GET", "/no/such/path")
        assert self.count("/tasks", "POST", 201) == 1
        assert self.count("/tasks/{id}", "GET", 200) == 2
        assert self.count("/tasks/{id}", "GET", 404) == 1
        assert self.count("(unmatched)", "GET", 404) == 1
        assert self.count("/tasks/{id}", "GET", 500) is None
