"""speedscope files from collapsed stacks: a valid "sampled" profile that round-trips."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.profile import collapsed, speedscope

STACKS = {
    "<module> (server.py);run (asyncio/runners.py);select (selectors.py)": 7,
    "<module> (server.py);run (asyncio/runners.py);RequestHandler._execute (tornado/web.py)": 5,
    "GET /tasks;get (taskservice/tornado/app.py:41);list (taskservice/service.py:88)": 1200,
    "(loop)": 30,
}


def _valid(doc: dict[str, Any]) -> None:
    """The structure speedscope's schema asks of a file with one sampled profile."""
    assert doc["$schema"] == speedscope.SCHEMA
    frames = doc["shared"]["frames"]
    assert all(isinstance(f["name"], str) and f["name"] for f in frames)
    assert len({speedscope.frame_text(f) for f in frames}) == len(frames)  # each frame once
    (profile,) = doc["profiles"]
    assert profile["type"] == "sampled"
    assert profile["unit"] in speedscope.UNITS
    assert len(profile["samples"]) == len(profile["weights"])
    assert all(0 <= i < len(frames) for sample in profile["samples"] for i in sample)
    assert all(w > 0 for w in profile["weights"])
    assert profile["startValue"] <= profile["endValue"] == sum(profile["weights"])
    json.dumps(doc, allow_nan=False)


def test_a_document_is_a_valid_sampled_profile() -> None:
    doc = speedscope.from_stacks(STACKS, "py-spy on-CPU", "milliseconds", 10.0)
    _valid(doc)
    assert doc["profiles"][0]["name"] == "py-spy on-CPU"


def test_weights_are_counts_times_the_unit_per_count() -> None:
    doc = speedscope.from_stacks(STACKS, "x", "milliseconds", 10.0)
    assert doc["profiles"][0]["endValue"] == collapsed.total(STACKS) * 10.0


def test_stacks_round_trip_with_the_same_total() -> None:
    doc = speedscope.from_stacks(STACKS, "x", "milliseconds", 10.0)
    back = speedscope.to_stacks(doc, per_count=10.0)
    assert back == STACKS
    assert collapsed.total(back) == collapsed.total(STACKS)


def test_samples_list_frames_root_first() -> None:
    doc = speedscope.from_stacks({"root (a.py);leaf (b.py)": 1}, "x")
    names = [doc["shared"]["frames"][i]["name"] for i in doc["profiles"][0]["samples"][0]]
    assert names == ["root", "leaf"]


def test_empty_stacks_are_left_out() -> None:
    doc = speedscope.from_stacks({"a": 0, "b": 2}, "x")
    assert doc["profiles"][0]["weights"] == [2]


FRAMES = [
    ("_execute (tornado/web.py)", {"name": "_execute", "file": "tornado/web.py"}),
    ("get (taskservice/app.py:41)", {"name": "get", "file": "taskservice/app.py", "line": 41}),
    ("ABCMeta.check (<frozen abc>)", {"name": "ABCMeta.check", "file": "<frozen abc>"}),
    ("f (g) (h.py)", {"name": "f (g)", "file": "h.py"}),
    ("GET /tasks/{id}", {"name": "GET /tasks/{id}"}),
    ("(loop)", {"name": "(loop)"}),
]


@pytest.mark.parametrize(("text", "frame"), FRAMES)
def test_frames_split_into_name_file_and_line_and_back(text: str, frame: dict[str, Any]) -> None:
    assert speedscope.frame(text) == frame
    assert speedscope.frame_text(frame) == text


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="unit must be one of"):
        speedscope.from_stacks(STACKS, "x", "samples")
