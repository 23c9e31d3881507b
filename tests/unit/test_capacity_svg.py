"""capacity.svg: a well-formed picture with the three percentiles, the achieved rate, the knee."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from bench.capacity.svg import draw
from bench.capacity.verdict import Judged, Step, judge

SLO = {"p99_ms": 50.0, "error_rate": 0.01}
NS = {"svg": "http://www.w3.org/2000/svg"}


def steps() -> list[Judged]:
    """A knee between 400/s and 800/s, run in search order; 800/s fell short of its rate."""
    base = Step(100, 100, 450, 1.0, 2.0, 4.0, 0.0, 900, 20.0, 25.0)
    rows = [
        replace(base),
        replace(base, offered=200, achieved=199, p99_ms=6.0),
        replace(base, offered=400, achieved=398, p99_ms=12.0),
        replace(base, offered=800, achieved=600, p50_ms=800, p95_ms=2000, p99_ms=3000.0,
                service_pct=100.0),
        replace(base, offered=600, achieved=590, p99_ms=35.0),
    ]  # fmt: skip
    return [judge(s, SLO) for s in rows]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own output)


def test_picture_is_well_formed_with_a_line_per_percentile_and_the_achieved_rate() -> None:
    root = parse(draw(steps(), "crud", capacity=600, knee=800, slo_p99_ms=50))
    lines = {p.get("data-series"): p for p in root.iterfind(".//svg:polyline", NS)}
    assert set(lines) == {"p50", "p95", "p99", "achieved"}
    for line in lines.values():
        assert len(str(line.get("points")).split()) == 5  # one point per step


def test_points_run_left_to_right_whatever_order_the_steps_ran_in() -> None:
    root = parse(draw(steps(), "crud"))
    p99 = next(p for p in root.iterfind(".//svg:polyline", NS) if p.get("data-series") == "p99")
    xs = [float(xy.split(",")[0]) for xy in str(p99.get("points")).split()]
    assert xs == sorted(xs)


def test_the_knee_is_marked_at_the_capacity_and_each_step_has_a_dot_with_its_result() -> None:
    svg = draw(steps(), "crud", capacity=600, knee=800, slo_p99_ms=50)
    root = parse(svg)
    knee = root.find(".//svg:g[@data-knee]", NS)
    assert knee is not None
    assert knee.get("data-knee") == "600"
    assert "capacity 600/s" in svg
    dots = {c.get("data-rate"): c.get("class") for c in root.iterfind(".//svg:circle", NS)}
    assert dots == {"100": "pass", "200": "pass", "400": "pass", "800": "FAIL", "600": "pass"}
    assert "SLO p99 50 ms" in svg


def test_without_a_capacity_no_knee_is_drawn() -> None:
    root = parse(draw(steps()[:1], "crud"))
    assert root.find(".//svg:g[@data-knee]", NS) is None


def test_titles_from_outside_are_escaped() -> None:
    svg = draw(steps(), "<script>alert(1)</script>")
    assert "<script>" not in svg
    parse(svg)


def test_a_step_with_zero_latency_still_draws() -> None:
    zero = Step(50, 50, 200, 0.0, 0.0, 0.0, 0.0, 10, 5.0, 5.0)
    parse(draw([judge(zero, SLO)], "crud"))


def test_the_generators_limit_is_marked_where_locust_ran_out() -> None:
    judged = [*steps(), judge(Step(1600, 1000, 4500, 30, 900, 1200, 0.0, 9000, 95.0, 85.0), SLO)]
    svg = draw(judged, "crud", limit=1600)
    limit = parse(svg).find(".//svg:g[@data-limit]", NS)
    assert limit is not None
    assert limit.get("data-limit") == "1600"
    assert "locust's limit 1600/s" in svg
