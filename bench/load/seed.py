"""Fill the store before a run, outside locust's stats: `ensure_stored(url, 1000)`."""

from __future__ import annotations

import http.client
import json
import re
from urllib.parse import urlsplit

from bench.load.tasks import new_task
from taskservice.paging import MAX_PAGE_SIZE

_NEXT = re.compile(r'<([^>]+)>; rel="next"')


class SeedError(RuntimeError):
    """The service refused or failed a seeding request."""


def _connection(base_url: str, timeout: float) -> http.client.HTTPConnection:
    url = urlsplit(base_url)
    if url.scheme != "http" or not url.hostname:
        raise SeedError(f"can only seed an http:// service, not {base_url!r}")
    return http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)


def ensure_stored(base_url: str, count: int, timeout: float = 30.0) -> int:
    """POST tasks until the service holds at least `count`; returns how many it created."""
    conn = _connection(base_url, timeout)
    try:
        missing = count - stored_up_to(conn, count)
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


def stored_up_to(conn: http.client.HTTPConnection, count: int) -> int:
    """How many tasks the service holds, counting no further than `count`: pages of GET /tasks."""
    seen = 0
    url: str | None = f"/tasks?limit={min(max(count, 1), MAX_PAGE_SIZE)}"
    while url is not None and seen < count:
        conn.request("GET", url)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SeedError(f"GET {url} answered {response.status}")
        seen += len(json.loads(body))
        link = _NEXT.fullmatch(response.getheader("Link") or "")
        url = link.group(1) if link else None
    return min(seen, count)
