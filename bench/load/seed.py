"""Fill the store before a run, outside locust's stats: `ensure_stored(url, 1000)`."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from bench.load.tasks import new_task


class SeedError(RuntimeError):
    """The service refused or failed a seeding request."""


def _connection(base_url: str, timeout: float) -> http.client.HTTPConnection:
    url = urlsplit(base_url)
    if url.scheme != "http" or not url.hostname:
        raise SeedError(f"can only seed an http:// service, not {base_url!r}")
    return http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)


def ensure_stored(base_url: str, count: int, timeout: float = 30.0) -> int:
    """POST tasks until GET /tasks lists at least `count`; returns how many it created."""
    conn = _connection(base_url, timeout)
    try:
        conn.request("GET", "/tasks")
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SeedError(f"GET /tasks answered {response.status}")
        missing = max(0, count - len(json.loads(body)))
        headers = {"Content-Type": "application/json"}
        for _ in range(missing):
            conn.request("POST", "/tasks", body=json.dumps(new_task()), headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                raise SeedError(f"POST /tasks answered {response.status} while seeding")
        return missing
    finally:
        conn.close()
