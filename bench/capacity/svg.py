"""capacity.svg: p50, p95 and p99 against the offered rate, the achieved rate, the SLO, the knee."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from html import escape

from bench.capacity.verdict import FAIL, GENERATOR_BOUND, Judged, Step
from bench.load.summary import ms

WIDTH, HEIGHT = 680, 400
LEFT, RIGHT, TOP, BOTTOM = 64, 64, 68, 48  # room for both axes' ticks, the legend, the x label
LINES = (("p50", "p50_ms", "#8cb4e8"), ("p95", "p95_ms", "#3a6fc4"), ("p99", "p99_ms", "#142f66"))
ACHIEVED = "#777"

STYLE = """
svg { font: 11px system-ui, sans-serif; background: #fff; }
.title { font-size: 14px; font-weight: 600; }
.grid { stroke: #eee; }
.axis { stroke: #999; }
.tick { fill: #555; }
.line { fill: none; stroke-width: 2; }
.achieved { fill: none; stroke: #777; stroke-width: 1.5; stroke-dasharray: 5 3; }
.diagonal { stroke: #ccc; stroke-dasharray: 2 3; }
.slo { stroke: #c00; stroke-dasharray: 6 4; }
.knee { stroke: #080; stroke-width: 2; }
.band { fill: #080; opacity: .08; }
.limit { stroke: #f90; stroke-width: 2; stroke-dasharray: 6 3; }
circle.FAIL { fill: #fff; stroke: #c00; stroke-width: 2; }
circle.pass { fill: #142f66; }
circle.generator-bound { fill: #f90; stroke: #b60; }
"""


def _decades(lo: float, hi: float) -> list[float]:
    """Latency ticks: 1, 2, 5 times each power of ten from `lo` to `hi`."""
    ticks = []
    for power in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        ticks += [m * 10.0**power for m in (1, 2, 5) if lo <= m * 10.0**power <= hi]
    return ticks


def _rate_ticks(top: float) -> list[float]:
    """Five or so round rates from 0 to `top`."""
    raw = top / 5
    unit = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * unit for m in (1, 2, 2.5, 5, 10) if m * unit >= raw)
    return [i * step for i in range(int(top / step) + 1)]


def draw(
    judged: Sequence[Judged],
    title: str,
    capacity: float | None = None,
    knee: float | None = None,
    slo_p99_ms: float | None = None,
    limit: float | None = None,
) -> str:
    """The whole SVG document; `capacity` and `knee` are the passing and failing rates bracketing
    the knee, `slo_p99_ms` the SLO's p99 threshold, `limit` the lowest generator-bound rate
    (each drawn when given)."""
    steps = sorted((j.step for j in judged), key=lambda s: s.offered)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_rate = max([s.offered for s in steps] + [s.achieved for s in steps] + [1.0]) * 1.08
    latencies = [v for s in steps for _, key, _ in LINES if (v := getattr(s, key)) > 0]
    latencies += [slo_p99_ms] if slo_p99_ms else []
    lo = 10.0 ** math.floor(math.log10(min(latencies, default=1.0)))
    hi = 10.0 ** math.ceil(math.log10(max(latencies, default=10.0)))
    hi = hi * 10 if hi <= lo else hi

    def x(rate: float) -> float:
        return LEFT + plot_w * rate / top_rate

    def y(latency: float) -> float:
        share = (math.log10(max(latency, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        return TOP + plot_h * (1 - share)

    def y_rate(rate: float) -> float:
        return TOP + plot_h * (1 - rate / top_rate)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<style>{STYLE}</style>",
        f'<text class="title" x="{LEFT}" y="20">{escape(title)}</text>',
    ]
    right, bottom = WIDTH - RIGHT, TOP + plot_h
    if capacity is not None and knee is not None:
        out.append(f'<rect class="band" x="{x(capacity):.1f}" y="{TOP}" '
                   f'width="{x(knee) - x(capacity):.1f}" height="{plot_h}"/>')  # fmt: skip
    for v in _decades(lo, hi):
        out.append(f'<line class="grid" x1="{LEFT}" x2="{right}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
                   f'<text class="tick" x="{LEFT - 5}" y="{y(v) + 4:.1f}" text-anchor="end">'
                   f"{v:g}</text>")  # fmt: skip
    for r in _rate_ticks(top_rate):
        out.append(f'<text class="tick" x="{x(r):.1f}" y="{bottom + 15}" text-anchor="middle">'
                   f'{r:g}</text><text class="tick" x="{right + 5}" y="{y_rate(r) + 4:.1f}">'
                   f"{r:g}</text>")  # fmt: skip
    out.append(f'<path class="axis" d="M{LEFT},{TOP}V{bottom}H{right}V{TOP}" fill="none"/>')
    out.append(f'<line class="diagonal" x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{TOP}"/>')
    out.append(_polyline("achieved", steps, x, lambda s: y_rate(s.achieved), ACHIEVED))
    for name, key, colour in LINES:
        out.append(_polyline(name, steps, x, partial(_at, y, key), colour))
    out += [_dot(j, x(j.step.offered), y(j.step.p99_ms)) for j in judged]
    if slo_p99_ms:
        out.append(f'<line class="slo" x1="{LEFT}" x2="{right}" y1="{y(slo_p99_ms):.1f}" '
                   f'y2="{y(slo_p99_ms):.1f}"/><text class="tick" x="{LEFT + 4}" '
                   f'y="{y(slo_p99_ms) - 4:.1f}" fill="#c00">'
                   f"SLO p99 {slo_p99_ms:g} ms</text>")  # fmt: skip
    if capacity is not None:
        at = x(capacity)
        side = (
            f'x="{at - 4:.1f}" text-anchor="end"'
            if at > LEFT + 0.7 * plot_w
            else f'x="{at + 4:.1f}"'
        )
        out.append(
            f'<g data-knee="{capacity:g}"><line class="knee" x1="{at:.1f}" x2="{at:.1f}" '
            f'y1="{TOP}" y2="{bottom}"/><text {side} y="{TOP + 14}" fill="#080">'
            f"capacity {capacity:g}/s</text></g>"
        )
    if limit is not None:
        at = x(limit)
        out.append(
            f'<g data-limit="{limit:g}"><line class="limit" x1="{at:.1f}" x2="{at:.1f}" '
            f'y1="{TOP}" y2="{bottom}"/><text x="{at - 4:.1f}" y="{TOP + 28}" fill="#b60" '
            f'text-anchor="end">locust\'s limit {limit:g}/s</text></g>'
        )
    out += _legend() + _labels(plot_h)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _at(y: Callable[[float], float], key: str, step: Step) -> float:
    value: float = getattr(step, key)
    return y(value)


def _polyline(
    name: str, steps: Sequence[Step], x: Callable[[float], float], y: Callable[[Step], float],
    colour: str,
) -> str:  # fmt: skip
    points = " ".join(f"{x(s.offered):.1f},{y(s):.1f}" for s in steps)
    css = "achieved" if name == "achieved" else "line"
    return f'<polyline class="{css}" data-series="{name}" stroke="{colour}" points="{points}"/>'


def _dot(j: Judged, cx: float, cy: float) -> str:
    s = j.step
    tip = (
        f"{s.offered:g}/s offered, {s.achieved:g}/s achieved: p50 {ms(s.p50_ms)}, "
        f"p95 {ms(s.p95_ms)}, p99 {ms(s.p99_ms)} ms; {j.status}"
        + (f" ({'; '.join(j.reasons)})" if j.status in (FAIL, GENERATOR_BOUND) else "")
    )
    return (
        f'<circle class="{j.status}" data-rate="{s.offered:g}" cx="{cx:.1f}" cy="{cy:.1f}" r="4">'
        f"<title>{escape(tip)}</title></circle>"
    )


def _legend() -> list[str]:
    items = [(name, colour, "") for name, _, colour in LINES]
    items.append(("achieved rate (right axis)", ACHIEVED, ' stroke-dasharray="5 3"'))
    out, at = [], LEFT
    for name, colour, dash in items:
        out.append(
            f'<line x1="{at}" x2="{at + 18}" y1="36" y2="36" stroke="{colour}" '
            f'stroke-width="2"{dash}/><text x="{at + 22}" y="40">{escape(name)}</text>'
        )
        at += 60 if len(name) < 5 else 170
    out.append(
        f'<text class="tick" x="{LEFT}" y="56">dots: p99 of each step; filled: met the SLO, '
        "hollow red: missed it; orange: generator-bound</text>"
    )
    return out


def _labels(plot_h: int) -> list[str]:
    mid = TOP + plot_h / 2
    return [
        f'<text class="tick" x="{LEFT + (WIDTH - LEFT - RIGHT) / 2}" y="{HEIGHT - 8}" '
        'text-anchor="middle">offered rate (iterations/s)</text>',
        f'<text class="tick" transform="translate(14 {mid}) rotate(-90)" text-anchor="middle">'
        "latency from intended start, ms (log scale)</text>",
        f'<text class="tick" transform="translate({WIDTH - 12} {mid}) rotate(90)" '
        'text-anchor="middle">achieved rate (iterations/s)</text>',
    ]
