"""A test case base that serves the real Tornado app, built by make_app, in process."""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import tornado.httpclient
import tornado.iostream
import tornado.tcpclient
import tornado.testing
import tornado.web

from taskservice.config import Config
from taskservice.service import TodoListService
from taskservice.store import Store, TimedStore, make_store
from taskservice.tornado.app import make_app
from taskservice.tornado.inflight import InFlight
from taskservice.tornado.server import make_http_server

JSON_TYPE = "application/json; charset=UTF-8"
_TESTS = "tests.integration.test_"


class AppTestCase(tornado.testing.AsyncHTTPTestCase):
    """make_app over a fresh store per test; override `config` or `make_store` to vary it.

    Every test class runs on both transports: as written on llhttp, and as its twin
    `<Name>OnTornado` (made when the class is defined) on Tornado's own HTTP server.
    """

    config: Config = Config(store_url="memory://")
    http: ClassVar[str] = "llhttp"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        module = sys.modules.get(cls.__module__)
        if "http" in cls.__dict__ or module is None or not cls.__module__.startswith(_TESTS):
            return  # a twin itself, or a base class outside the test modules
        name = f"{cls.__name__}OnTornado"
        twin = type(name, (cls,), {"http": "tornado", "__module__": cls.__module__})
        twin.__qualname__ = name
        setattr(module, name, twin)

    def get_http_server(self) -> Any:
        """The transport the class runs on, as server.py makes it (connection limits included)."""
        return make_http_server(replace(self.config, http=self.http), self._app)

    def make_store(self) -> Store:
        return make_store(self.config.store_url)

    def get_app(self) -> tornado.web.Application:
        self.store = self.make_store()
        self.io_loop.run_sync(self.store.open)
        self.service = TodoListService(TimedStore(self.store))  # as server.py wires it
        return make_app(self.config, self.service)

    def tearDown(self) -> None:
        self.io_loop.run_sync(self.store.close)
        super().tearDown()

    @property
    def inflight(self) -> InFlight:
        inflight: InFlight = self._app.settings["inflight"]
        return inflight

    def request(
        self, method: str, path: str, body: bytes | str | None = None, **kw: Any
    ) -> tornado.httpclient.HTTPResponse:
        """One request with any method, body or headers; never raises for an error status."""
        if isinstance(body, str):
            body = body.encode()
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""
        return self.fetch(path, method=method, body=body, allow_nonstandard_methods=True, **kw)

    def create(self, task: dict[str, Any]) -> str:
        """POST a task and return its id."""
        response = self.request("POST", "/tasks", json.dumps(task))
        assert response.code == 201, response.body
        return response.headers["Location"].removeprefix("/tasks/")

    def assert_json_error(
        self, response: tornado.httpclient.HTTPResponse, code: int, message: str
    ) -> dict[str, Any]:
        """The response is the API's JSON error with this code and a message containing text."""
        assert response.code == code, response.body
        assert response.headers["Content-Type"] == JSON_TYPE
        body: dict[str, Any] = json.loads(response.body)
        assert body["code"] == code
        assert body["method"] == response.request.method
        assert set(body) == {"method", "uri", "code", "message"}
        assert message in body["message"], body["message"]
        return body

    async def raw_exchange(self, data: bytes) -> bytes:
        """Send raw bytes on a new connection; return all that comes back until it closes."""
        stream = await tornado.tcpclient.TCPClient().connect("127.0.0.1", self.get_http_port())
        await stream.write(data)
        try:
            return await stream.read_until_close()
        except tornado.iostream.StreamClosedError:
            return b""


class SqliteAppTestCase(AppTestCase):
    """AppTestCase over a sqlite store in a temporary folder, one database file per test."""

    _tmp: ClassVar[tempfile.TemporaryDirectory[str]]

    @classmethod
    def setUpClass(cls) -> None:
        cls._tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls) -> None:
        cls._tmp.cleanup()

    def setUp(self) -> None:
        db = Path(self._tmp.name) / f"{self.id()}.db"
        self.config = Config(store_url=f"sqlite:///{db}")
        super().setUp()
