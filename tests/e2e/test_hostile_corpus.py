"""A hand-written hostile corpus against a real server: each request gets a 4xx JSON error,
the server stays up, and nothing stored is lost or changed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.support.hostile import CORPUS, SEED_TASKS, Hostile
from tests.support.server import TRANSPORTS, ServerProcess
from tests.support.transport import method_status


@pytest.fixture(scope="module", params=TRANSPORTS)
def server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("hostile")
    server = ServerProcess(workdir, ["--store", "sqlite:///tasks.db"], http=request.param).start()
    try:
        for task in SEED_TASKS:
            assert server.request("POST", "/tasks", json.dumps(task)).status == 201
        yield server
        assert server.stop() == 0
    finally:
        server.kill()


def stored(server: ServerProcess) -> tuple[bytes, dict[str, str]]:
    """Everything stored, as bytes, with each task's ETag (which any write would change)."""
    listing = server.request("GET", "/tasks?limit=1000")
    tags = {tid: server.request("GET", f"/tasks/{tid}").headers["etag"] for tid in listing.json()}
    return listing.body, tags


def test_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CORPUS) > 150
    assert len({case.name for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_hostile_request_gets_a_4xx_json_error_and_changes_nothing(
    server: ServerProcess, case: Hostile
) -> None:
    before = stored(server)
    task = next(iter(json.loads(before[0])))
    path = case.path.replace("{task}", f"/tasks/{task}")
    response = server.request(case.method, path, case.body, case.headers)

    status = method_status(server.transport, case.method, case.status)
    assert response.status == status, response.body[:300]
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    error = response.json()
    assert set(error) == {"method", "uri", "code", "message"}
    assert error["code"] == status
    assert error["method"] == case.method
    assert "Traceback" not in error["message"]
    assert response.headers["x-request-id"] != case.headers.get("X-Request-ID")
    assert server.proc is not None
    assert server.proc.poll() is None
    assert server.request("GET", "/healthz").status == 200
    assert stored(server) == before
