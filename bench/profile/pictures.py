"""A picture of a run: from its collapsed stacks, the SVG flame graph and the speedscope file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.profile import collapsed, speedscope
from taskservice.profiling import RenderError, render_svg


def make(
    folder: Path,
    name: str,
    title: str,
    svg_title: str,
    unit: str,
    per_count: float,
    keep_svg: bool = False,
) -> dict[str, Any]:
    """Write `name.svg` and `name.speedscope.json` from `name.collapsed`; its run.json entry.

    The entry names files only (the index links each); `total` and `unit` go in run.json's
    `stats`. `keep_svg` keeps an SVG already there (the service draws its own yappi graphs).
    """
    source = folder / f"{name}.collapsed"
    if not source.is_file():
        raise RenderError(f"{title}: no {source.name} was written")
    stacks = collapsed.read(source)
    if not stacks:
        raise RenderError(f"{title}: {source.name} holds no samples")
    svg = folder / f"{name}.svg"
    if not (keep_svg and svg.is_file()):
        svg.write_text(render_svg(collapsed.lines(stacks), svg_title))
    doc = speedscope.from_stacks(stacks, svg_title, unit, per_count)
    scope = folder / f"{name}.speedscope.json"
    scope.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    return {
        "title": title,
        "svg": svg.name,
        "collapsed": source.name,
        "speedscope": scope.name,
    }


def stats(folder: Path, name: str, unit: str, **more: Any) -> dict[str, Any]:
    """run.json's `stats` of one picture: the total of its collapsed stacks, in `unit`."""
    return {
        "total": collapsed.total(collapsed.read(folder / f"{name}.collapsed")),
        "unit": unit,
        **more,
    }
