"""Response checks for the load scenarios: each returns None when right, else what is wrong."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

Task = dict[str, Any]

_LOCATION = re.compile(r"/tasks/([0-9a-f]{32})")


def _no_response(status: int, error: object) -> str | None:
    return f"no response: {error}" if status == 0 else None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return _INVALID


_INVALID = object()


def created(status: int, location: str | None, body: bytes) -> tuple[str | None, str | None]:
    """POST /tasks: 201, `Location: /tasks/{id}`, empty body; returns (problem, id)."""
    if status != 201:
        return f"expected 201, got {status}", None
    match = _LOCATION.fullmatch(location or "")
    if match is None:
        return f"bad Location header: {location!r}", None
    if body:
        return f"expected an empty body, got {len(body)} bytes", None
    return None, match.group(1)


def task_body(status: int, body: bytes, expected: Task) -> str | None:
    """GET /tasks/{id}: 200 and exactly the task last written."""
    if status != 200:
        return f"expected 200, got {status}"
    got = _json(body)
    if got != expected:
        return f"task differs from the one stored: {body[:200]!r}"
    return None


def no_content(status: int, body: bytes) -> str | None:
    """PUT and DELETE: 204 with an empty body."""
    if status != 204:
        return f"expected 204, got {status}"
    return f"expected an empty body, got {len(body)} bytes" if body else None


def listing(status: int, body: bytes, holds: Mapping[str, Task], at_least: int = 0) -> str | None:
    """GET /tasks: 200, a JSON object of at least `at_least` tasks that holds `holds` as stored."""
    if status != 200:
        return f"expected 200, got {status}"
    got = _json(body)
    if not isinstance(got, dict):
        return f"expected a JSON object, got {body[:200]!r}"
    if len(got) < at_least:
        return f"expected at least {at_least} tasks, got {len(got)}"
    for task_id, task in holds.items():
        if got.get(task_id) != task:
            return f"task {task_id} missing or changed in the list"
    return None


def rejected(status: int, body: bytes) -> str | None:
    """Bad input: any 4xx with a JSON error body whose code is the status; 2xx or 5xx is wrong."""
    if status < 400:
        return f"bad input accepted with {status}"
    if status >= 500:
        return f"server error {status} on bad input"
    got = _json(body)
    if not isinstance(got, dict) or got.get("code") != status or "message" not in got:
        return f"{status} without a JSON error body: {body[:200]!r}"
    return None


def problem_or_no_response(status: int, error: object, problem: str | None) -> str | None:
    """A transport error (status 0) explains a failure better than the body check does."""
    return _no_response(status, error) or problem
