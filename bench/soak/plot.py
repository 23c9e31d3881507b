"""A small SVG of a soak: server RSS and request latency over time, on one time axis."""

from __future__ import annotations

from collections.abc import Sequence

import pygal

from bench.soak.sampler import Sample


def render(
    samples: Sequence[Sample],
    latency: Sequence[tuple[float, float, float]],
    warmup_s: float,
    title: str,
) -> bytes:
    """SVG bytes: RSS (MiB) on the left axis; p50 and p99 (ms) per interval on the right.

    `latency` holds (seconds since start, p50 ms, p99 ms) rows.
    """
    peak_mib = max((s.rss_bytes for s in samples), default=0) / 2**20
    chart = pygal.XY(
        # From zero: fitted to the data, a flat line's last 0.1 MiB would fill the height.
        range=(0, max(1.0, peak_mib * 1.15)),
        title=title,
        x_title=f"seconds (warm-up ends at {warmup_s:g} s)",
        y_title="RSS, MiB",
        width=900,
        height=400,
        show_dots=False,
        legend_at_bottom=True,
        explicit_size=True,
    )
    chart.add("server RSS (MiB)", [(s.t, s.rss_bytes / 2**20) for s in samples])
    chart.add("p50 latency (ms)", [(t, p50) for t, p50, _ in latency], secondary=True)
    chart.add("p99 latency (ms)", [(t, p99) for t, _, p99 in latency], secondary=True)
    svg: bytes = chart.render()
    return svg
