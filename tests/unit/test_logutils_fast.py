"""The canonical line's shortcuts render exactly what the general logfmt path renders."""

from __future__ import annotations

import asyncio
import math
import random

import pytest

from taskservice.utils.logutils import (
    REQUEST_CONTEXT,
    bind_fields,
    format_ms,
    format_value,
    logfmt,
    logfmt_fields,
)

CONTEXTS: list[dict[str, object]] = [
    {"req_id": "01a251b41163115cdb89f2d03aca3650", "method": "GET", "uri": "/tasks/1", "ip": "::1"},
    {"req_id": "a", "method": "BREW", "uri": "/tasks?limit=10&after=x", "ip": "127.0.0.1"},
    {"uri": "/with space", "method": "null"},
    {"uri": "caf\u00e9 \u2028 \ud800", "": "empty key"},
    {"bad key": "v", "n": 1, "none": None, "flag": True, "bytes": b"\xff"},
    {"empty": ""},
    {},
]


@pytest.mark.parametrize("fields", CONTEXTS)
def test_logfmt_fields_matches_logfmt(fields: dict[str, object]) -> None:
    assert logfmt_fields(fields) == logfmt(fields.items())


@pytest.mark.parametrize(
    "ms",
    [0.0, -0.0, 0.0004, 0.0005, 0.0015, 1.0, 12.3, 12.3456, 99.9995, 1e14, 1e16, 1e-9, 2.5e-4],
)
def test_format_ms_is_the_repr_of_the_rounded_value(ms: float) -> None:
    assert format_ms(ms) == repr(round(ms, 3)) == format_value(round(ms, 3))


def test_format_ms_on_many_random_times() -> None:
    rng = random.Random(17)
    for _ in range(100_000):
        ms = rng.random() * 10 ** rng.randint(-4, 7)
        assert format_ms(ms) == repr(round(ms, 3)), ms


@pytest.mark.parametrize("ms", [math.inf, -math.inf, math.nan])
def test_format_ms_passes_non_finite_values_to_repr(ms: float) -> None:
    assert format_ms(ms) == repr(round(ms, 3))


def test_bind_fields_adds_to_the_context_as_bind_context_does() -> None:
    async def request(first: dict[str, object], then: dict[str, object]) -> object:
        bind_fields(first)
        bind_fields(then)
        return dict(REQUEST_CONTEXT.get())

    async def both() -> list[object]:
        return list(
            await asyncio.gather(
                request({"req_id": "a", "uri": "/x"}, {"task": 1}),
                request({"req_id": "b"}, {"req_id": "c"}),
            )
        )

    assert asyncio.run(both()) == [{"req_id": "a", "uri": "/x", "task": 1}, {"req_id": "c"}]
    assert dict(REQUEST_CONTEXT.get()) == {}
