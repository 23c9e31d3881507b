"""Seeding before a load run counts what the service holds page by page, and tops it up only."""

from __future__ import annotations

import json

from bench.load.seed import ensure_stored
from tests.e2e.conftest import StartServer


def test_seeding_twice_tops_up_once_across_pages(start_server: StartServer) -> None:
    server = start_server("--store", "memory://")
    url = f"http://127.0.0.1:{server.port}"
    assert ensure_stored(url, 1500) == 1500  # more than one page of the largest size
    assert ensure_stored(url, 1500) == 0
    assert ensure_stored(url, 150) == 0
    first = server.request("GET", "/tasks?limit=1000")
    assert len(first.json()) == 1000
    after = max(json.loads(first.body))
    assert len(server.request("GET", f"/tasks?limit=1000&after={after}").json()) == 500
