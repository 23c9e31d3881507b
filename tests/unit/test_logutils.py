"""logfmt rendering, the request context and the canonical line."""

from __future__ import annotations

import asyncio
import logging

import pytest

from taskservice.utils.logutils import (
    bind_context,
    format_key,
    format_value,
    log_event,
    log_response,
    logfmt,
    response_level,
)
from tests.support.logfmt_parser import parse_logfmt
from tests.support.logs import captured


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ("GET", "GET"),
        ("/tasks/abc", "/tasks/abc"),
        ("", ""),
        (None, "null"),
        ("null", '"null"'),
        (True, "true"),
        (False, "false"),
        (201, "201"),
        (1.25, "1.25"),
        ("two words", '"two words"'),
        ("a=b", '"a=b"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", "back\\slash"),
        ("back\\slash and space", '"back\\\\slash and space"'),
        ("line1\nline2", '"line1\\nline2"'),
        ("cr\rtab\t", '"cr\\rtab\\t"'),
        ("nul\x00bell\x07", '"nul\\u0000bell\\u0007"'),
        ("del\x7f", '"del\\u007f"'),
        ("nel\x85", '"nel\\u0085"'),
        ("ls\u2028ps\u2029", '"ls\\u2028ps\\u2029"'),
        ("lone\ud800", '"lone\\ufffd"'),
        ("replacement\ufffd", '"replacement\ufffd"'),
        (b"bytes\xff", '"bytes\\ufffd"'),
        ("héllo ✓", '"héllo ✓"'),
        ("日本語", "日本語"),
        (ValueError("x y"), '"x y"'),
    ],
)
def test_format_value_quotes_and_escapes_like_go_logfmt(value: object, rendered: str) -> None:
    assert format_value(value) == rendered


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "with space",
        'quote " inside',
        "equals = inside",
        "newline \n and \r\n",
        "tab\tand\x00nul and \x1b[31mansi",
        "unicode ✓ 日本語 🚀",
        "\\ backslash \\n literal",
        "\u2028\u2029\x85",
        "",
        "null",
    ],
)
def test_rendered_value_round_trips_through_strict_parser(text: str) -> None:
    line = logfmt([("k", text), ("after", 1)])
    assert parse_logfmt(line) == [("k", text), ("after", "1")]


@pytest.mark.parametrize(
    "hostile",
    [
        'Task" level=ERROR message="FAKE',
        "Task\nlevel=ERROR message=FAKE",
        "Task\r\nmessage=FAKE status=500",
        "/tasks?x=1 status=200",
        "x\u2028message=FAKE",
    ],
)
def test_user_value_cannot_forge_fields_or_lines(hostile: str) -> None:
    line = logfmt([("title", hostile), ("message", "RESPONSE")])
    assert "\n" not in line
    assert "\r" not in line
    assert line.splitlines() == [line]
    assert parse_logfmt(line) == [("title", hostile), ("message", "RESPONSE")]


def test_format_key_replaces_characters_a_key_cannot_hold() -> None:
    assert format_key("req_id") == "req_id"
    assert format_key("bad key=\n") == "bad_key__"
    assert format_key("") == "_"


def test_response_level_follows_status_class() -> None:
    assert response_level(200) == logging.INFO
    assert response_level(399) == logging.INFO
    assert response_level(404) == logging.WARNING
    assert response_level(499) == logging.WARNING
    assert response_level(500) == logging.ERROR
    assert response_level(503) == logging.ERROR


def test_log_event_puts_context_then_message_then_fields() -> None:
    with captured() as logs:
        log_event(logging.getLogger("taskservice"), logging.INFO, "HELLO", {"req_id": "r1"}, n=2)
    assert [r.getMessage() for r in logs.records] == ["req_id=r1 message=HELLO n=2"]


def test_log_event_names_the_caller_in_the_record() -> None:
    with captured() as logs:
        log_event(logging.getLogger("taskservice"), logging.INFO, "HELLO", {})
    assert logs.records[0].funcName == "test_log_event_names_the_caller_in_the_record"


class _Explosive:
    def __str__(self) -> str:
        raise AssertionError("a disabled level must not format its values")


def test_disabled_level_formats_nothing() -> None:
    with captured(level=logging.WARNING) as logs:
        logger = logging.getLogger("taskservice")
        log_event(logger, logging.DEBUG, "REQUEST", {}, value=_Explosive())
        log_response(logger, {"req_id": "r"}, 200, 1.0, value=_Explosive())
    assert logs.records == []


def test_log_response_has_the_canonical_fields_and_level() -> None:
    ctx = {"req_id": "r1", "method": "GET", "uri": "/tasks", "ip": "127.0.0.1"}
    with captured() as logs:
        log_response(logging.getLogger("taskservice"), ctx, 404, 1.23456, error="gone", trace=None)
    (record,) = logs.records
    assert record.levelno == logging.WARNING
    assert parse_logfmt(record.getMessage()) == [
        ("req_id", "r1"),
        ("method", "GET"),
        ("uri", "/tasks"),
        ("ip", "127.0.0.1"),
        ("message", "RESPONSE"),
        ("status", "404"),
        ("time_ms", "1.235"),
        ("error", "gone"),
    ]


def test_log_response_keeps_a_multiline_trace_on_one_line() -> None:
    trace = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: "bad"\n'
    with captured() as logs:
        log_response(logging.getLogger("taskservice"), {}, 500, 2.0, trace=trace)
    (record,) = logs.records
    assert record.levelno == logging.ERROR
    assert "\n" not in record.getMessage()
    assert dict(parse_logfmt(record.getMessage()))["trace"] == trace


def test_context_is_request_scoped_across_asyncio_tasks() -> None:
    seen: dict[str, str] = {}

    async def request(req_id: str) -> None:
        bind_context(req_id=req_id)
        await asyncio.sleep(0)  # interleave with the other request
        with captured() as logs:
            log_event(logging.getLogger("taskservice"), logging.INFO, "WORK")
        seen[req_id] = logs.records[0].getMessage()

    async def main() -> None:
        await asyncio.gather(request("a"), request("b"))

    asyncio.run(main())
    assert seen == {"a": "req_id=a message=WORK", "b": "req_id=b message=WORK"}
