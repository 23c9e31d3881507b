"""The response checks behind every scenario request."""

from __future__ import annotations

import json

from bench.load import checks

TASK_ID = "0" * 31 + "1"


def test_created_needs_201_a_task_location_and_no_body() -> None:
    assert checks.created(201, f"/tasks/{TASK_ID}", b"") == (None, TASK_ID)
    assert checks.created(200, f"/tasks/{TASK_ID}", b"")[0] == "expected 201, got 200"
    assert "bad Location" in str(checks.created(201, "/tasks/xyz", b"")[0])
    assert "empty body" in str(checks.created(201, f"/tasks/{TASK_ID}", b"{}")[0])


def test_task_body_must_equal_what_was_written() -> None:
    task = {"title": "a", "priority": "none", "completed": False}
    assert checks.task_body(200, json.dumps(task).encode(), task) is None
    assert "differs" in str(checks.task_body(200, b'{"title": "b"}', task))
    assert "differs" in str(checks.task_body(200, b"not json", task))


def test_listing_must_be_an_object_holding_the_expected_tasks() -> None:
    task = {"title": "a"}
    body = json.dumps({TASK_ID: task}).encode()
    assert checks.listing(200, body, {TASK_ID: task}, at_least=1) is None
    assert "at least 2" in str(checks.listing(200, body, {}, at_least=2))
    assert "missing or changed" in str(checks.listing(200, b"{}", {TASK_ID: task}))
    assert "JSON object" in str(checks.listing(200, b"[]", {}))


def test_rejected_needs_a_4xx_with_a_json_error_naming_its_code() -> None:
    assert checks.rejected(404, b'{"code": 404, "message": "no"}') is None
    assert "without a JSON error body" in str(checks.rejected(400, b"Bad Request"))
    assert "without a JSON error body" in str(checks.rejected(400, b'{"code": 404, "message": ""}'))
    assert checks.rejected(204, b"") == "bad input accepted with 204"
    assert checks.rejected(503, b"") == "server error 503 on bad input"
