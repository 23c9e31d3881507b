"""Lost updates against a real server: clients racing on one task with If-Match."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import StartServer
from tests.support.server import Response, ServerProcess

STORES = [pytest.param("memory://", id="memory"), pytest.param("sqlite:///tasks.db", id="sqlite")]
CLIENTS = 8


def race(clients: int, attempt: Callable[[int], Response]) -> list[Response]:
    """Run `attempt(i)` on `clients` threads released at the same moment."""
    start = threading.Barrier(clients)

    def run(i: int) -> Response:
        start.wait(timeout=10)
        return attempt(i)

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(run, range(clients)))


def create(server: ServerProcess, task: dict[str, object]) -> str:
    response = server.request("POST", "/tasks", json.dumps(task))
    assert response.status == 201
    return response.headers["location"]


@pytest.mark.parametrize("store", STORES)
def test_clients_racing_to_replace_one_version_exactly_one_wins(
    start_server: StartServer, store: str
) -> None:
    server = start_server("--store", store)
    task = create(server, {"title": "original"})
    etag = server.request("GET", task).headers["etag"]

    def replace(i: int) -> Response:
        body = json.dumps({"title": f"writer {i}"})
        return server.request("PUT", task, body, {"If-Match": etag})

    answers = race(CLIENTS, replace)
    statuses = sorted(a.status for a in answers)
    assert statuses == [204] + [412] * (CLIENTS - 1)
    (winner,) = [i for i, a in enumerate(answers) if a.status == 204]
    for loser in (a for a in answers if a.status == 412):
        assert loser.json()["code"] == 412
    final = server.request("GET", task)
    assert final.json()["title"] == f"writer {winner}"
    assert final.headers["etag"] == answers[winner].headers["etag"] == '"v2"'
    assert server.stop() == 0


@pytest.mark.parametrize("store", STORES)
def test_clients_racing_to_delete_or_replace_one_version_exactly_one_wins(
    start_server: StartServer, store: str
) -> None:
    server = start_server("--store", store)
    task = create(server, {"title": "original"})
    etag = server.request("GET", task).headers["etag"]

    def delete_or_replace(i: int) -> Response:
        if i % 2:
            return server.request("DELETE", task, headers={"If-Match": etag})
        return server.request("PUT", task, json.dumps({"title": f"w{i}"}), {"If-Match": etag})

    answers = race(CLIENTS, delete_or_replace)
    winners = [a for a in answers if a.status == 204]
    assert len(winners) == 1
    # Losers see either a newer version (412) or, once the delete won, no task at all (404).
    assert all(a.status in (404, 412) for a in answers if a.status != 204)
    assert server.stop() == 0


@pytest.mark.parametrize("store", STORES)
def test_read_modify_write_with_if_match_loses_no_increment(
    start_server: StartServer, store: str
) -> None:
    server = start_server("--store", store)
    task = create(server, {"title": "counter", "due_date": 0})
    per_client = 10

    def increment_many(i: int) -> Response:
        done = 0
        last = None
        while done < per_client:  # ends: each retry follows a write that some client made
            current = server.request("GET", task)
            count = current.json()["due_date"] + 1
            body = json.dumps({"title": "counter", "due_date": count})
            last = server.request("PUT", task, body, {"If-Match": current.headers["etag"]})
            assert last.status in (204, 412), last.body
            done += last.status == 204
        assert last is not None
        return last

    race(4, increment_many)
    final = server.request("GET", task)
    assert final.json()["due_date"] == 4 * per_client
    assert final.headers["etag"] == f'"v{4 * per_client + 1}"'
    assert server.stop() == 0
