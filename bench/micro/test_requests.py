"""One request end to end, in process, per endpoint.

HTTP bytes go in on a kept-alive connection, through the service's default transport (llhttp)
and the real application with the tutorial's logging on, and HTTP bytes come out. No socket, so
no network; the memory store, so no disk: what is left is the transport, Tornado's web layer
and our code, next to bare Tornado on each transport.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tornado.httpserver
import tornado.web
from pytest_benchmark.fixture import BenchmarkFixture

from bench.micro.conftest import Aio, open_service
from bench.micro.memstream import InProcessClient
from bench.micro.memtransport import LLHTTPClient
from taskservice import Task
from taskservice.config import Config
from taskservice.tornado.app import make_app
from taskservice.tornado.llhttp import LLHTTPServer
from taskservice.tornado.server import make_http_server

pytestmark = pytest.mark.benchmark(group="requests end to end")

TASK = Task(title="Water the plants", priority="normal")
BODY = b'{"title": "Water the plants", "priority": "normal"}'
EDIT = b'{"title": "Water the plants", "priority": "urgent", "completed": true}'
BAD = b'{"title": 12, "priority": "soon"'


def http(method: str, path: str, body: bytes = b"") -> bytes:
    """A request as curl sends it."""
    head = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1:8080",
        "User-Agent: curl/8.5.0",
        "Accept: */*",
    ]
    if body:
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class Api:
    """The real HTTP server and application over a fresh memory store."""

    def __init__(self, aio: Aio, tmp_path: Path) -> None:
        self.aio = aio
        self.service, _ = open_service(aio, "memory", tmp_path)
        self.client = aio(_connect(make_app(Config(), self.service)))

    def send(self, request: bytes) -> bytes:
        """One exchange on the kept-alive connection: the raw response."""
        response: bytes = self.aio(self.client.send(request))
        return response

    def create(self) -> str:
        """A stored task's id, made without HTTP."""
        task_id: str = self.aio(self.service.create_task(TASK))
        return task_id


@pytest.fixture
def api(aio: Aio, tmp_path: Path, local_logging: Path) -> Iterator[Api]:
    api = Api(aio, tmp_path)
    yield api
    aio(api.client.close())


def _expect(status: bytes, call: Callable[..., bytes]) -> Callable[..., bytes]:
    """Wrap an exchange so that every round checks its status line."""

    def checked(*args: bytes) -> bytes:
        response = call(*args)
        assert response.startswith(b"HTTP/1.1 " + status), response[:200]
        return response

    return checked


class _BareHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write({"title": "Water the plants", "priority": "normal", "completed": False})


async def _connect(app: tornado.web.Application) -> LLHTTPClient:
    """A connection to `app` on the service's default transport (made on the running loop)."""
    server = make_http_server(Config(), app)
    assert isinstance(server, LLHTTPServer)
    return LLHTTPClient(server)


def _bare_app() -> tornado.web.Application:
    return tornado.web.Application([("/", _BareHandler)], log_function=lambda handler: None)


def _bench_bare(
    benchmark: BenchmarkFixture, aio: Aio, client: InProcessClient | LLHTTPClient
) -> None:
    request = http("GET", "/")
    try:
        response = benchmark(_expect(b"200 ", lambda: aio(client.send(request))))
        assert response.endswith(b'"completed": false}')
    finally:
        aio(client.close())


def test_request_bare_tornado(benchmark: BenchmarkFixture, aio: Aio) -> None:
    """The ceiling: Tornado alone, a handler writing a small dict, no logging; the group's 1.00x."""
    benchmark.extra_info["baseline"] = True
    server = tornado.httpserver.HTTPServer(_bare_app())
    _bench_bare(benchmark, aio, aio(InProcessClient.connect(server)))


def test_request_bare_tornado_on_llhttp(benchmark: BenchmarkFixture, aio: Aio) -> None:
    """The same bare app through the llhttp transport: what the transport alone saves."""
    _bench_bare(benchmark, aio, aio(_connect(_bare_app())))


def test_request_post(benchmark: BenchmarkFixture, api: Api) -> None:
    request = http("POST", "/tasks", BODY)
    response = benchmark(_expect(b"201 ", lambda: api.send(request)))
    assert b"\r\nLocation: /tasks/" in response


def test_request_get_one(benchmark: BenchmarkFixture, api: Api) -> None:
    request = http("GET", f"/tasks/{api.create()}")
    response = benchmark(_expect(b"200 ", lambda: api.send(request)))
    assert response.endswith(
        b'{"title": "Water the plants", "priority": "normal", "completed": false}'
    )


def test_request_get_list(benchmark: BenchmarkFixture, api: Api) -> None:
    ids = [api.create() for _ in range(10)]
    response = benchmark(_expect(b"200 ", lambda: api.send(http("GET", "/tasks"))))
    assert all(task_id.encode() in response for task_id in ids)


def test_request_put(benchmark: BenchmarkFixture, api: Api) -> None:
    task_id = api.create()
    benchmark(_expect(b"204 ", lambda: api.send(http("PUT", f"/tasks/{task_id}", EDIT))))
    assert api.aio(api.service.get_task(task_id)).task.priority == "urgent"


def test_request_delete(benchmark: BenchmarkFixture, api: Api, pedantic_rounds: int) -> None:
    # Each round deletes a task that its untimed set-up has just stored.
    def setup() -> tuple[tuple[bytes], dict[str, Any]]:
        return (http("DELETE", f"/tasks/{api.create()}"),), {}

    benchmark.pedantic(_expect(b"204 ", api.send), setup=setup, rounds=pedantic_rounds)
    assert api.aio(api.service.list_tasks()).tasks == {}


def test_request_bad_input(benchmark: BenchmarkFixture, api: Api) -> None:
    request = http("POST", "/tasks", BAD)
    response = benchmark(_expect(b"400 ", lambda: api.send(request)))
    assert b'"code": 400' in response
    assert api.aio(api.service.list_tasks()).tasks == {}
