"""Collapsed stacks as a speedscope file ("sampled" profile), for https://www.speedscope.app.

The format is speedscope's own (https://www.speedscope.app/file-format-schema.json): a shared
list of frames, and a profile whose samples are stacks of frame indices, root first, each with a
weight. One sample per distinct stack, weighted by its count, keeps the file small.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from bench.profile.collapsed import Stacks

SCHEMA = "https://www.speedscope.app/file-format-schema.json"
UNITS = ("none", "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes")
# py-spy writes `name (file)`, the service `name (file:line)`; anything else is a bare name.
_FRAME = re.compile(r"(?P<name>.+?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)")


def frame(text: str) -> dict[str, Any]:
    """A speedscope frame from a collapsed frame: its name, and its file and line when shown."""
    match = _FRAME.fullmatch(text)
    if match is None or not match["file"]:
        return {"name": text}
    out: dict[str, Any] = {"name": match["name"], "file": match["file"]}
    if match["line"]:
        out["line"] = int(match["line"])
    return out


def frame_text(f: Mapping[str, Any]) -> str:
    """A speedscope frame back in collapsed form: the inverse of `frame`."""
    if "file" not in f:
        return str(f["name"])
    line = f":{f['line']}" if "line" in f else ""
    return f"{f['name']} ({f['file']}{line})"


def from_stacks(
    stacks: Mapping[str, int], name: str, unit: str = "none", per_count: float = 1.0
) -> dict[str, Any]:
    """A speedscope document holding one sampled profile; each count weighs `per_count` units."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    index: dict[str, int] = {}
    frames: list[dict[str, Any]] = []
    samples: list[list[int]] = []
    weights: list[float] = []
    for stack, count in sorted(stacks.items()):
        if count <= 0:
            continue
        sample = []
        for part in stack.split(";"):
            if part not in index:
                index[part] = len(frames)
                frames.append(frame(part))
            sample.append(index[part])
        samples.append(sample)
        weights.append(count * per_count)
    profile = {
        "type": "sampled",
        "name": name,
        "unit": unit,
        "startValue": 0,
        "endValue": sum(weights),
        "samples": samples,
        "weights": weights,
    }
    return {
        "$schema": SCHEMA,
        "shared": {"frames": frames},
        "profiles": [profile],
        "name": name,
        "activeProfileIndex": 0,
        "exporter": "taskservice bench.profile",
    }


def to_stacks(doc: Mapping[str, Any], per_count: float = 1.0) -> Stacks:
    """The stacks of a document's first profile, weights divided by `per_count` (rounded)."""
    frames = [frame_text(f) for f in doc["shared"]["frames"]]
    profile = doc["profiles"][0]
    stacks: Stacks = Counter()
    for sample, weight in zip(profile["samples"], profile["weights"], strict=True):
        stacks[";".join(frames[i] for i in sample)] += round(weight / per_count)
    return stacks
