"""The history section of profiles/index.html: a small inline SVG per figure, runs oldest first."""

from __future__ import annotations

from dataclasses import replace
from html import escape
from urllib.parse import quote

from bench.profile.history import GROUPS, History, Point, Series
from bench.summary import format_value

WIDTH, HEIGHT = 300, 190
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 26, 62  # room for the value ticks and the commit labels
MAX_LABELS = 8  # commit labels under the axis; more would overlap at this width
MAX_LISTED = 10  # regressions listed above the figures, newest first

STYLE = """
.history-group { display: flex; flex-wrap: wrap; gap: .5em; }
svg.history { border: 1px solid #ddd; background: #fff; font: 10px system-ui, sans-serif; }
svg.history .title { font-size: 12px; font-weight: 600; }
svg.history .line { fill: none; stroke: #36c; stroke-width: 1.5; }
svg.history .grid { stroke: #eee; }
svg.history circle { fill: #36c; }
svg.history circle.regression { fill: #c00; stroke: #fff; }
svg.history .tick { fill: #555; }
#regressions li { color: #b00; }
"""


def render(history: History) -> str:
    """The section: a heading per group of figures, the regressions listed, or how to get runs."""
    parts = ['<section id="history">', "<h2>History of the bench runs</h2>"]
    if not history.series:
        parts.append(
            "<p>No bench run with ratios, load or capacity figures yet: "
            "<code>./run.py bench</code> saves one here.</p></section>"
        )
        return "\n".join(parts)
    parts.append(
        f"<p>Each point is a saved bench run, oldest on the left, labelled with its commit "
        f"(* uncommitted changes); hover a point for its time and value, click it to open the "
        f"run's folder. A red point is more than {history.threshold:g}% worse than the run before "
        f"it: a lower ratio, capacity or req/s, a higher p99 (<code>./run.py profiles "
        f"--threshold PCT</code>).</p>"
    )
    parts.append(_regressions(history))
    parts += [f'<p class="problem">{escape(p)}</p>' for p in history.problems]
    for group, heading in GROUPS:
        figures = [figure(s) for s in history.series if s.group == group]
        if figures:
            parts.append(f"<h3>{escape(heading)}</h3>")
            parts.append(f'<div class="history-group" data-group="{group}">')
            parts += figures
            parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)


def _regressions(history: History) -> str:
    marked = history.regressions()
    if not marked:
        return '<p id="regressions">No run is worse than the one before it by that much.</p>'
    items = "".join(
        f"<li>{escape(s.name)}: {escape(p.folder)} (commit {escape(p.commit or 'unknown')}) "
        f"is {p.worse or 0:.1%} worse than the run before it</li>"
        for s, p in marked[:MAX_LISTED]
    )
    if len(marked) > MAX_LISTED:  # a long history has many; the newest are the ones to act on
        items += f"<li>and {len(marked) - MAX_LISTED} earlier: the red dots below</li>"
    return f'<ul id="regressions">{items}</ul>'


def figure(series: Series) -> str:
    """One figure as an inline SVG (no xmlns: HTML places it, and the page names no URL)."""
    points = series.points
    values = [p.metric.value for p in points]
    lo, hi = min(values), max(values)
    # At least 10% of the value high, so that close runs (1.25x and 1.26x) are not drawn as a
    # cliff and the three value ticks differ once rounded; a flat line sits mid-height.
    mid = (lo + hi) / 2
    height = max(hi - lo, abs(mid) * 0.1) or 1.0
    pad = height * 0.1
    lo, hi = mid - height / 2 - pad, mid + height / 2 + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (hi - v) / (hi - lo)

    out = [
        f'<svg class="history" data-figure="{escape(series.name)}" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(series.name)} across {len(points)} runs">',
        f'<text class="title" x="{LEFT}" y="16">{escape(series.label)}</text>',
    ]
    for v in (lo + pad, (lo + hi) / 2, hi - pad):
        label = escape(format_value(replace(points[-1].metric, value=v)))
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
            f'<text class="tick" x="{LEFT - 4}" y="{y(v) + 3:.1f}" text-anchor="end">{label}</text>'
        )
    line = " ".join(f"{x(i):.1f},{y(p.metric.value):.1f}" for i, p in enumerate(points))
    out.append(f'<polyline class="line" points="{line}"/>')
    out += [_point(p, x(i), y(p.metric.value)) for i, p in enumerate(points)]
    step = -(-len(points) // MAX_LABELS)  # ceiling: at most MAX_LABELS, the newest always
    for i in range(len(points) - 1, -1, -step):
        out.append(_commit_label(points[i], x(i), HEIGHT - BOTTOM + 10))
    first, last = points[0].when, points[-1].when
    span = f"{first:%Y-%m-%d}" + ("" if first.date() == last.date() else f" → {last:%Y-%m-%d}")
    out.append(f'<text class="tick" x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end">'
               f"{span}</text>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def _point(p: Point, cx: float, cy: float) -> str:
    worse = "" if p.worse is None else f", {_change(p.worse)} the run before"
    tip = (
        f"{p.when:%Y-%m-%d %H:%M:%S}, commit {p.commit or 'unknown'}: "
        f"{format_value(p.metric)}{worse} ({p.folder})"
    )
    css = ' class="regression"' if p.regression else ""
    radius = 5 if p.regression else 3
    return (
        f'<a href="{escape(quote(p.folder + "/"))}">'
        f'<circle{css} data-run="{escape(p.folder)}" cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}">'
        f"<title>{escape(tip)}</title></circle></a>"
    )


def _change(worse: float) -> str:
    if worse == 0:
        return "the same as"
    return f"{abs(worse):.1%} {'worse' if worse > 0 else 'better'} than"


def _commit_label(p: Point, px: float, py: float) -> str:
    commit = p.commit or "?"
    short = commit[:7] + ("*" if commit.endswith("(dirty)") else "")
    return (
        f'<text class="tick commit" x="{px:.1f}" y="{py:.1f}" text-anchor="end" '
        f'transform="rotate(-45 {px:.1f} {py:.1f})">{escape(short)}</text>'
    )
