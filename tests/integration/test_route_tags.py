"""Every request runs under its route's tag, and only the request: yappi splits by route."""

from __future__ import annotations

import dataclasses
import json

import tornado.web

from taskservice.profiling import YappiSession, collapsed_from_yappi
from tests.integration.support import SqliteAppTestCase


class RouteTagTest(SqliteAppTestCase):
    profilable = True  # tags are on only when the config lets the service be profiled

    def get_app(self) -> tornado.web.Application:
        self.config = dataclasses.replace(self.config, profiling_yappi=self.profilable)
        return super().get_app()

    def profile_requests(self) -> list[str]:
        """Stacks of a cpu profile over one request to each route, on one keep-alive client."""
        session = YappiSession()
        session.start("cpu")
        try:
            task_id = self.create({"title": "profiled"})
            self.request("GET", f"/tasks/{task_id}")
            self.request("PUT", f"/tasks/{task_id}", json.dumps({"title": "again"}))
            self.request("GET", "/tasks")
            self.request("DELETE", f"/tasks/{task_id}")
            self.request("GET", "/nowhere")
            self.request("HEAD", "/healthz")
            self.request("GET", "/openapi.json")
            self.request("BREW", "/nowhere")
        finally:
            stats = session.stop()
        return [line.rpartition(" ")[0] for line in collapsed_from_yappi(stats)]

    def test_each_request_runs_under_its_method_and_route_template(self) -> None:
        stacks = self.profile_requests()
        roots = {stack.split(";")[0] for stack in stacks}
        assert {
            "POST /tasks",
            "GET /tasks/{id}",
            "PUT /tasks/{id}",
            "GET /tasks",
            "DELETE /tasks/{id}",
            "GET (unmatched)",
            "HEAD /healthz",
            "GET /openapi.json",
            "(loop)",
        } <= roots
        # llhttp refuses a method it does not know before routing: no request to tag.
        assert ("OTHER (unmatched)" in roots) == (self.http == "tornado")
        for route, method in [
            ("POST /tasks", "TodoListHandler.post"),
            ("GET /tasks", "TodoListHandler.get"),
            ("GET /tasks/{id}", "TaskHandler.get"),
            ("PUT /tasks/{id}", "TaskHandler.put"),
            ("DELETE /tasks/{id}", "TaskHandler.delete"),
        ]:
            mine = [stack for stack in stacks if stack.startswith(route + ";")]
            assert any(f";{method} (taskservice/tornado/app.py:" in s for s in mine), route
            assert any(";RequestHandler._execute (tornado/web.py:" in s for s in mine), route
            # A handler's frames are never counted under another route or the loop.
            others = [stack for stack in stacks if not stack.startswith(route + ";")]
            assert not any(f";{method} (" in stack for stack in others), route

    def test_the_connection_reads_the_next_request_under_the_loops_tag(self) -> None:
        stacks = self.profile_requests()
        reading = [stack for stack in stacks if "HTTP1Connection._read_message (" in stack]
        assert reading
        assert all(stack.startswith("(loop);") for stack in reading)

    def test_the_store_threads_work_counts_under_the_route(self) -> None:
        stacks = self.profile_requests()
        insert = [stack for stack in stacks if "SqliteStore.create.<locals>.<lambda>" in stack]
        assert insert
        assert all(stack.startswith("POST /tasks;SqliteStore._run (") for stack in insert)


class UntaggedRouteTest(RouteTagTest):
    """A service that cannot be profiled (no yappi, no admin.debug) pays for no tags."""

    profilable = False

    def test_each_request_runs_under_its_method_and_route_template(self) -> None:
        stacks = self.profile_requests()
        assert {stack.split(";")[0] for stack in stacks} == {"(loop)"}

    def test_the_store_threads_work_counts_under_the_route(self) -> None:
        stacks = self.profile_requests()
        assert not any(stack.startswith("POST /tasks;") for stack in stacks)
