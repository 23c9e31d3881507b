"""`--diff A B`: a differential flame graph per picture two runs share (red: more time in B)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.profile import collapsed, folders, layer_table, runjson
from taskservice.profiling import render_svg

PICTURES = ("pyspy-oncpu", "pyspy-idle", "yappi-wall", "yappi-cpu")
"""The pictures a diff compares, by the stem of their collapsed file."""


@dataclass(frozen=True)
class DiffLines:
    """Lines `stack countA countB` for inferno, A scaled by `scale` so both totals match."""

    lines: list[str]
    total_a: int
    total_b: int
    scale: float


def diff_lines(a: Mapping[str, int], b: Mapping[str, int]) -> DiffLines:
    """Every stack of either run, A's counts scaled to B's total (rounded), sorted by stack.

    Without the scaling a longer or busier run B would look red everywhere; with it, the
    colours show where the share of time moved.
    """
    total_a, total_b = collapsed.total(a), collapsed.total(b)
    scale = total_b / total_a if total_a else 1.0
    lines = [
        f"{stack} {round(a.get(stack, 0) * scale)} {b.get(stack, 0)}"
        for stack in sorted(set(a) | set(b))
    ]
    return DiffLines(lines, total_a, total_b, scale)


def title(picture: str, name_a: str, name_b: str, d: DiffLines) -> str:
    """The SVG's title: what is compared, the colours, and the normalisation with both totals."""
    return (
        f"{picture}: {name_a} -> {name_b}; red = more time in B, blue = less; "
        f"A scaled x{d.scale:.3g} to B's total (A {d.total_a}, B {d.total_b})"
    )


def common(a: Path, b: Path) -> list[str]:
    """The pictures both run folders hold as non-empty collapsed stacks."""
    return [
        name
        for name in PICTURES
        if all((f / f"{name}.collapsed").is_file() for f in (a, b))
        and all(collapsed.total(collapsed.read(f / f"{name}.collapsed")) > 0 for f in (a, b))
    ]


def _shared(key: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> Any:
    return a.get(key) if a.get(key) == b.get(key) else None


def run(root: Path, name_a: str, name_b: str) -> Path:
    """Write `<time>-diff-<A>-vs-<B>/` with a diff-<picture>.svg per shared picture.

    RunNotFound for an unknown run, LookupError when the two share no picture.
    """
    a, b = folders.find_run(root, name_a), folders.find_run(root, name_b)
    names = common(a, b)
    if not names:
        raise LookupError(
            f"{a.name} and {b.name} share no picture to compare (of {', '.join(PICTURES)})"
        )
    started_at = runjson.now()
    folder = folders.new_folder(root, f"diff-{a.name}-vs-{b.name}")
    pictures, numbers = [], {}
    for name in names:
        d = diff_lines(
            collapsed.read(a / f"{name}.collapsed"), collapsed.read(b / f"{name}.collapsed")
        )
        svg, lines = folder / f"diff-{name}.svg", folder / f"diff-{name}.txt"
        svg.write_text(render_svg(d.lines, title(name, a.name, b.name, d)))
        lines.write_text("\n".join(d.lines) + "\n")
        pictures.append({"title": f"diff {name}", "svg": svg.name, "lines": lines.name})
        numbers[name] = {"total_a": d.total_a, "total_b": d.total_b, "scale_a": round(d.scale, 6)}
    meta_a, meta_b = runjson.read(a), runjson.read(b)
    layers_a, layers_b = meta_a.get("layers"), meta_b.get("layers")
    layers = layer_table.diff_rows(layers_a, layers_b) if layers_a and layers_b else None
    data = runjson.build(
        "diff", None, started_at, pictures=pictures, a=a.name, b=b.name, stats=numbers,
        layers_diff=layers,
    )  # fmt: skip
    data["tool"] = _shared("tool", meta_a, meta_b)
    data["scenario"] = _shared("scenario", meta_a, meta_b)
    runjson.write(folder, data)
    return folder
