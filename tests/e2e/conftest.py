"""Fixtures for the e2e suite: real server subprocesses, always stopped afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.load.service import free_port, stop_process
from tests.support.profiles_page import serve_profiles
from tests.support.server import TRANSPORTS, ServerProcess

StartServer = Callable[..., ServerProcess]


@pytest.fixture(params=TRANSPORTS)
def http(request: pytest.FixtureRequest) -> str:
    """The HTTP transport of the servers a test starts: each test runs once on each."""
    transport: str = request.param
    return transport


@pytest.fixture
def start_server(tmp_path: Path, http: str) -> Iterator[StartServer]:
    """Start servers in tmp_path (cwd) on the `http` transport; any still running are killed."""
    started: list[ServerProcess] = []

    def start(
        *args: str, workdir: Path | None = None, preexec: Callable[[], None] | None = None
    ) -> ServerProcess:
        server = ServerProcess(workdir or tmp_path, list(args), preexec=preexec, http=http)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


def start_with_admin(start_server: StartServer, *args: str) -> tuple[ServerProcess, int]:
    """A server with an admin port (its /metrics: the in-flight gauge); it and that port."""
    admin = free_port()
    return start_server(*args, "--admin-port", str(admin)), admin


@pytest.fixture(scope="module")
def index_url(profiles: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`./run.py profiles --serve` over the module's own `profiles` folder; its index's URL."""
    served = serve_profiles(profiles, tmp_path_factory.mktemp("serve"))
    yield served.url
    stop_process(served.proc, wait=10)
