"""Collapsed lines to an SVG flame graph through pyinferno (the Rust inferno engine).

Until the service's `taskservice.profiling.render_svg` lands, the harness calls pyinferno itself;
both are the same one call.
"""

from __future__ import annotations

from pyinferno.pyinferno import InfernoError, flamegraph_from_lines


class RenderError(RuntimeError):
    """inferno could not draw the lines (none, or malformed); the message says which picture."""


def render_svg(lines: list[str], title: str) -> str:
    """An SVG flame graph; `lines` of `stack A B` make a differential one (red: more in B)."""
    try:
        return flamegraph_from_lines(lines, title)
    except InfernoError as e:
        raise RenderError(f"{title}: {e}") from None
