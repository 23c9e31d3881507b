"""render_svg: collapsed stacks to an SVG flame graph, through pyinferno (the inferno engine)."""

from __future__ import annotations


class RenderError(RuntimeError):
    """The stacks could not be drawn (the message says why)."""


def render_svg(lines: list[str], title: str) -> str:
    """An SVG flame graph of collapsed-stack lines ("a;b;c COUNT"); RenderError if inferno fails."""
    # Imported here: pyinferno brings pyinstrument along (~0.1 s), which a server that never
    # draws a flame graph should not pay for at start-up.
    from pyinferno.pyinferno import InfernoError, flamegraph_from_lines

    if not lines:
        lines = ["(no samples) 1"]  # inferno refuses an empty input; an empty profile is news too
    try:
        return flamegraph_from_lines(lines, title)
    except InfernoError as e:
        raise RenderError(f"{title}: cannot render flame graph: {e}") from None
