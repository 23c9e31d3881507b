"""The admin application: JSON 404s, and the debug endpoints only when admin.debug is on."""

from __future__ import annotations

import asyncio
import json
import pstats
import sys
import tempfile
from pathlib import Path
from unittest import mock

import pytest
import tornado.testing
import tornado.web

from taskservice.config import Config
from taskservice.profiling import YappiSession
from taskservice.service import TodoListService
from taskservice.store import make_store
from taskservice.tornado.admin import make_admin_app
from taskservice.tornado.app import make_app
from tests.integration.support import JSON_TYPE, AppTestCase

ADMIN = Config(store_url="memory://", admin_port=8081, admin_debug=True)


class AdminTestCase(AppTestCase):
    config = ADMIN

    def get_app(self) -> tornado.web.Application:
        super().get_app()  # the store and service
        return make_admin_app(self.config, self.service)


class DebugOffTest(AdminTestCase):
    config = Config(store_url="memory://", admin_port=8081)

    def test_debug_endpoints_are_absent_when_debug_is_off(self) -> None:
        for path in ("/debug/profile", "/debug/tasks"):
            self.assert_json_error(self.request("GET", path), 404, f"no such endpoint: {path}")


class AdminTest(AdminTestCase):
    def test_unknown_admin_paths_are_json_404s(self) -> None:
        for method, path in [("GET", "/"), ("POST", "/debug/profile/x"), ("GET", "/tasks")]:
            self.assert_json_error(self.request(method, path), 404, "no such endpoint")

    def test_debug_endpoints_refuse_other_methods(self) -> None:
        response = self.request("POST", "/debug/profile")
        self.assert_json_error(response, 405, "Method Not Allowed")
        assert response.headers["Allow"] == "GET"

    def test_bad_profile_queries_are_400s_naming_the_parameter(self) -> None:
        for query, message in [
            ("seconds=0", "seconds: must be a whole number from 1 to 60"),
            ("seconds=61", "seconds: must be a whole number from 1 to 60"),
            ("seconds=abc", "seconds: must be a whole number from 1 to 60"),
            ("clock=gpu", "clock: must be one of cpu, wall"),
            ("format=png", "format: must be one of svg, pstat"),
            ("sec=1", "'sec': unknown query parameter"),
        ]:
            response = self.request("GET", f"/debug/profile?{query}")
            self.assert_json_error(response, 400, message)

    def test_a_profile_without_yappi_installed_is_a_503_saying_how_to_install_it(self) -> None:
        with mock.patch.dict(sys.modules, {"yappi": None}):  # None: `import yappi` fails
            response = self.request("GET", "/debug/profile?seconds=1")
        self.assert_json_error(response, 503, "install the profile extra")

    def test_a_profile_while_yappi_runs_elsewhere_is_a_409(self) -> None:
        whole_run = YappiSession()
        whole_run.start("wall")
        try:
            response = self.request("GET", "/debug/profile?seconds=1")
        finally:
            whole_run.stop()
        self.assert_json_error(response, 409, "already running")

    @tornado.testing.gen_test(timeout=20)
    async def test_a_second_profile_while_one_runs_is_a_409(self) -> None:
        url = self.get_url("/debug/profile?seconds=2")
        first = asyncio.ensure_future(self.http_client.fetch(url, raise_error=False))
        session: YappiSession = self._app.settings["yappi_session"]
        for _ in range(1000):  # the first is recording: a number of turns, not a time
            if session.running:
                break
            await asyncio.sleep(0.005)
        assert session.running
        second = await self.http_client.fetch(url, raise_error=False)
        assert second.code == 409
        assert json.loads(second.body)["message"].startswith("a yappi profile is already running")
        assert (await first).code == 200

    def test_a_profile_is_an_svg_flame_graph_of_what_ran_meanwhile(self) -> None:
        self.io_loop.add_callback(self.poll_tasks)
        response = self.fetch("/debug/profile?seconds=1&clock=wall")
        assert response.code == 200, response.body
        assert response.headers["Content-Type"] == "image/svg+xml"
        svg = response.body.decode()
        assert svg.startswith("<?xml")
        assert "GET /debug/tasks" in svg  # the requests made during the profile, by route
        assert "TasksHandler.get" in svg
        assert "yappi wall clock" in svg

    async def poll_tasks(self) -> None:
        for _ in range(5):
            await asyncio.sleep(0.1)
            await self.http_client.fetch(self.get_url("/debug/tasks"))

    def test_a_pstat_profile_is_an_attachment_pstats_can_load(self) -> None:
        response = self.fetch("/debug/profile?seconds=1&format=pstat")
        assert response.code == 200
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert response.headers["Content-Disposition"] == 'attachment; filename="yappi-cpu.pstat"'
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "p.pstat"
            path.write_bytes(response.body)
            assert pstats.Stats(str(path)).get_stats_profile().func_profiles

    def test_tasks_lists_every_asyncio_task_with_its_stack(self) -> None:
        response = self.fetch("/debug/tasks")
        assert response.code == 200
        assert response.headers["Content-Type"] == JSON_TYPE
        tasks = json.loads(response.body)
        assert isinstance(tasks, list)
        assert all(set(t) == {"name", "coroutine", "state", "awaiting", "stack"} for t in tasks)
        # The request asking is one of them, running (so its stack ends where it runs now).
        mine = [t for t in tasks if t["coroutine"] == "RequestHandler._execute"]
        assert [t["stack"][0].split(" (")[0] for t in mine] == ["RequestHandler._execute"]
        assert mine[0]["stack"][0].startswith("RequestHandler._execute (tornado/web.py:")
        assert mine[0]["state"] == "pending"


@pytest.mark.parametrize("debug", [True, False])
def test_public_app_never_routes_debug_paths(debug: bool) -> None:
    config = Config(store_url="memory://", admin_port=8081, admin_debug=debug)
    app = make_app(config, TodoListService(make_store("memory://")))
    for rule in app.wildcard_router.rules + app.default_router.rules:
        assert "debug" not in str(getattr(rule.matcher, "regex", ""))


class PublicAppDebugTest(AppTestCase):
    config = ADMIN

    def test_debug_paths_are_404_on_the_public_app_even_with_admin_debug_on(self) -> None:
        for path in ("/debug/profile", "/debug/profile?seconds=1", "/debug/tasks"):
            self.assert_json_error(self.request("GET", path), 404, "no such endpoint")
