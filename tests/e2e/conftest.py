"""Fixtures for the e2e suite: real server subprocesses, always stopped afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.server import ServerProcess

StartServer = Callable[..., ServerProcess]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """Start servers in tmp_path (cwd); any still running at the end are killed."""
    started: list[ServerProcess] = []

    def start(
        *args: str, workdir: Path | None = None, preexec: Callable[[], None] | None = None
    ) -> ServerProcess:
        server = ServerProcess(workdir or tmp_path, list(args), preexec=preexec).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()
