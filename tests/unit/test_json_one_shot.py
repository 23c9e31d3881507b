"""one_shot(encoder): the same text and the same errors as encoder.encode."""

from __future__ import annotations

import json
import math
import re

import pytest

from taskservice.datamodel import one_shot

ENCODERS = (json.JSONEncoder(ensure_ascii=False, allow_nan=False), json.JSONEncoder())


@pytest.mark.parametrize(
    "value",
    [
        {"title": "Task1", "priority": "none", "completed": False},
        {"a": {"b": [1, 2.5, None, True, "é ☃ \u2028"]}, "due_date": 1e300},
        {"lone": "\ud800", "quote": '"\\\n'},
        [],
        "text",
        -(2**63),
    ],
)
def test_one_shot_encodes_as_the_encoder_does(value: object) -> None:
    for encoder in ENCODERS:
        assert one_shot(encoder)(value) == encoder.encode(value)


@pytest.mark.parametrize("bad", [{"x": math.nan}, {"x": object()}, {(1, 2): 3}])
def test_one_shot_refuses_what_the_encoder_refuses(bad: object) -> None:
    encoder = ENCODERS[0]
    with pytest.raises((ValueError, TypeError)) as theirs:
        encoder.encode(bad)
    with pytest.raises(theirs.type, match=re.escape(str(theirs.value))):
        one_shot(encoder)(bad)


def test_one_shot_falls_back_for_an_indenting_encoder() -> None:
    encoder = json.JSONEncoder(indent=2)
    assert one_shot(encoder)({"a": [1]}) == encoder.encode({"a": [1]})
