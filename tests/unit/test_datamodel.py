"""Task validation, JSON body parsing and rendering: every rule of the data model."""

from __future__ import annotations

import json

import pytest

from taskservice.datamodel import (
    DESCRIPTION_MAX_CHARS,
    PRIORITIES,
    TITLE_MAX_CHARS,
    Task,
    dump_json,
    parse_json_body,
    task_from_json,
)
from taskservice.errors import ValidationError


def test_title_only_gets_defaults() -> None:
    task = Task.from_api({"title": "Task1"})
    assert task == Task("Task1", None, "none", False, None)
    assert task.to_api() == {"title": "Task1", "priority": "none", "completed": False}


def test_every_field_is_kept() -> None:
    body = {
        "title": "Pay bills",
        "description": "before Friday",
        "priority": "urgent",
        "completed": True,
        "due_date": 1735689600,
    }
    assert Task.from_api(body).to_api() == body


@pytest.mark.parametrize("priority", PRIORITIES)
def test_each_priority_is_accepted(priority: str) -> None:
    assert Task.from_api({"title": "t", "priority": priority}).priority == priority


@pytest.mark.parametrize(
    "due_date", [0, -1, 1.5, 9.2e18, -9.223372036854775808e18, 2**63 - 1, -(2**63)]
)
def test_finite_due_dates_in_range_are_accepted_and_keep_their_type(due_date: float) -> None:
    task = Task.from_api({"title": "t", "due_date": due_date})
    assert task.due_date == due_date
    assert type(task.due_date) is type(due_date)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "title: required"),
        ({"title": None}, "title: must be a string"),
        ({"title": 5}, "title: must be a string"),
        ({"title": ""}, "title: must not be empty"),
        ({"title": "   "}, "title: must not be empty"),
        ({"title": "x" * (TITLE_MAX_CHARS + 1)}, f"title: longer than {TITLE_MAX_CHARS}"),
        ({"title": "bad \ud800"}, "title: contains an unpaired unicode surrogate"),
        ({"title": "t", "description": 1}, "description: must be a string"),
        ({"title": "t", "description": None}, "description: must be a string"),
        ({"title": "t", "description": "x" * (DESCRIPTION_MAX_CHARS + 1)}, "description: longer"),
        ({"title": "t", "priority": "asap"}, "priority: must be one of urgent, high"),
        ({"title": "t", "priority": 1}, "priority: must be one of"),
        ({"title": "t", "completed": 0}, "completed: must be true or false"),
        ({"title": "t", "completed": "true"}, "completed: must be true or false"),
        ({"title": "t", "due_date": "tomorrow"}, "due_date: must be a number"),
        ({"title": "t", "due_date": True}, "due_date: must be a number"),
        ({"title": "t", "due_date": None}, "due_date: must be a number"),
        ({"title": "t", "due_date": float("nan")}, "due_date: must be a finite number"),
        ({"title": "t", "due_date": float("inf")}, "due_date: must be a finite number"),
        ({"title": "t", "due_date": 2**63}, "due_date: integer out of the 64-bit range"),
        ({"title": "t", "due_date": -(2**63) - 1}, "due_date: integer out of the 64-bit range"),
        # Floats keep to the same range, as openapi.yaml says: 2.0**63 is one past the end.
        ({"title": "t", "due_date": 2.0**63}, "due_date: number out of the 64-bit range"),
        ({"title": "t", "due_date": 1e300}, "due_date: number out of the 64-bit range"),
        ({"title": "t", "due_date": -1e19}, "due_date: number out of the 64-bit range"),
        ({"title": "t", "owner": "me"}, "owner: unknown field"),
    ],
)
def test_invalid_field_is_rejected_with_its_name(body: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match="^" + message.replace("(", r"\(")):
        Task.from_api(body)


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(ValidationError) as err:
        Task.from_api({"title": "", "priority": "x", "extra": 1, "completed": "no"})
    message = str(err.value)
    for field in ("extra: unknown field", "title:", "priority:", "completed:"):
        assert field in message


@pytest.mark.parametrize(
    ("body", "kind"),
    [([], "an array"), ("t", "a string"), (3, "a number"), (None, "null"), (True, "a boolean")],
)
def test_non_object_is_rejected(body: object, kind: str) -> None:
    with pytest.raises(ValidationError, match=f"expected a JSON object, got {kind}"):
        Task.from_api(body)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "request body is empty"),
        (b"  \n", "request body is empty"),
        (b'{"title": "\xff"}', "not valid UTF-8"),
        (b'{"title": ', "invalid JSON: Expecting value"),
        (b"{" * 5000, "invalid JSON"),
        (b"[" * 60000, "invalid JSON: nested too deeply"),
        (b'{"title": "t", "due_date": NaN}', "NaN is not a number in JSON"),
        (b'{"title": "t", "due_date": Infinity}', "Infinity is not a number in JSON"),
        (b'{"title": "t", "due_date": -Infinity}', "-Infinity is not a number in JSON"),
        (b'{"title": "t", "due_date": ' + b"9" * 5000 + b"}", "a number has too many digits"),
        (b"\xef\xbb\xbf{}", "invalid JSON"),
    ],
)
def test_malformed_body_is_a_validation_error(raw: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_json_body(raw)


def test_task_from_json_parses_and_validates() -> None:
    assert task_from_json(b'{"title": "Task1", "completed": true}').completed is True
    with pytest.raises(ValidationError, match="title: required"):
        task_from_json(b'{"description": "no title"}')


def test_unicode_and_control_characters_survive_a_round_trip() -> None:
    title = 'Überweisung 日本 🚀 "quoted" \\ tab\t nul\x00 newline\n'
    task = task_from_json(dump_json({"title": title}))
    assert task.title == title
    assert json.loads(dump_json(task.to_api()))["title"] == title


def test_rendered_task_validates_again_unchanged() -> None:
    task = Task("t", "d", "high", True, 12.5)
    assert Task.from_api(json.loads(dump_json(task.to_api()))) == task


def test_dump_json_writes_utf8_not_ascii_escapes() -> None:
    assert dump_json({"title": "✓"}) == '{"title": "✓"}'.encode()


def test_unknown_field_names_are_shown_safely() -> None:
    with pytest.raises(ValidationError) as err:
        Task.from_api({"title": "t", "bad\ud800": 1, "k" * 500: 2})
    message = str(err.value)
    message.encode("utf-8")  # printable anywhere: no unpaired surrogate left
    assert "bad\\ud800: unknown field" in message
    assert "k" * 64 + "...: unknown field" in message
    assert len(message) < 200


def test_dump_json_escapes_what_utf8_cannot_carry() -> None:
    raw = dump_json({"message": "x\ud800"})
    assert raw == b'{"message": "x\\ud800"}'
    assert json.loads(raw) == {"message": "x\ud800"}
