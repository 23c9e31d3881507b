"""The history of bench runs on profiles/index.html, in headless Chromium: a drawn SVG per figure,
the worse run marked in red, from `./run.py profiles --serve` and from file://."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.load.service import stop_process
from tests.support.bench_runs import load, ratios, save
from tests.support.browser import chromium_or_skip, dump_dom
from tests.support.profiles_page import IndexPage, serve_profiles

OLD = "20261101-100000-bench-ratios"  # saved before the llhttp scenarios
MID = "20261201-100000-bench-all"
NEW = "20261202-100000-bench-all"
CAPACITY = "20261203-100000-bench-capacity"
PROBE = "probe.html"
# Measures the history as Chromium laid it out, into the probe page's own DOM: the served index
# is on the probe's origin, so its frame's document can be read.
PROBE_PAGE = """<!doctype html>
<pre id="out">not measured</pre>
<iframe src="index.html" style="width:1200px;height:900px" onload="
  const rows = [...this.contentDocument.querySelectorAll('svg.history')].map(svg => {
    const box = svg.getBoundingClientRect();
    const dots = [...svg.querySelectorAll('circle')].map(c =>
      getComputedStyle(c).fill + '@' + Math.round(c.getBoundingClientRect().width));
    return [svg.dataset.figure, Math.round(box.width), Math.round(box.height), ...dots].join('|');
  });
  document.getElementById('out').textContent = rows.join('\\n');
"></iframe>
"""
RED, BLUE = "rgb(204, 0, 0)", "rgb(51, 102, 204)"


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_or_skip()


@pytest.fixture(scope="module")
def profiles(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four bench runs: NEW's get-one ratio 20% below MID's, its crud p99 30% above; then a
    capacity run."""
    root = tmp_path_factory.mktemp("profiles")
    save(root, OLD, "0000000aaa", ratios_json=ratios(only=("baseline-get", "get-one")))
    save(root, MID, "1111111bbb", ratios_json=ratios(), load_json=load(crud={}))
    save(root, NEW, "2222222ccc", ratios_json=ratios({"get-one": 0.8}),
         load_json=load(crud={"p99_ms": 91.0}))  # fmt: skip
    save(root, CAPACITY, "3333333ddd",
         capacity_json={"scenarios": {"crud": {"capacity_rps": 950.0}}})  # fmt: skip
    (root / PROBE).write_text(PROBE_PAGE)
    return root


@pytest.mark.parametrize("via", ["http", "file"])
def test_page_shows_a_figure_per_metric_with_every_run_that_has_it(
    chromium: str, profiles: Path, index_url: str, via: str
) -> None:
    url = index_url if via == "http" else (profiles / "index.html").as_uri()
    page = IndexPage(dump_dom(chromium, url))

    assert page.figures["ratio get-one"].runs == [OLD, MID, NEW]
    assert page.figures["ratio minimal-llhttp-get"].runs == [MID, NEW]
    assert page.figures["load crud rps"].runs == [MID, NEW]
    assert page.figures["load crud p99_ms"].runs == [MID, NEW]
    assert page.figures["capacity crud"].runs == [CAPACITY]
    assert page.figures["ratio get-one"].marked == [NEW]
    assert page.figures["load crud p99_ms"].marked == [NEW]
    assert "2222222" in page.figures["ratio get-one"].text  # the commit under its point


def test_figures_are_drawn_small_with_the_worse_run_a_larger_red_dot(
    chromium: str, index_url: str
) -> None:
    measured = _measured(dump_dom(chromium, index_url.replace("index.html", PROBE)))

    assert set(measured) >= {"ratio get-one", "load crud rps", "load crud p99_ms", "capacity crud"}
    for name, (width, height, _) in measured.items():
        assert 200 <= width <= 400, f"{name}: {width} px wide"
        assert 120 <= height <= 260, f"{name}: {height} px high"
    assert measured["ratio get-one"][2] == [f"{BLUE}@6", f"{BLUE}@6", f"{RED}@10"]
    assert measured["load crud rps"][2] == [f"{BLUE}@6", f"{BLUE}@6"]


def test_a_higher_threshold_leaves_the_same_runs_unmarked(
    chromium: str, profiles: Path, tmp_path: Path
) -> None:
    served = serve_profiles(profiles, tmp_path, "--threshold", "40")
    try:
        page = IndexPage(dump_dom(chromium, served.url))
    finally:
        stop_process(served.proc, wait=10)

    assert page.figures["ratio get-one"].runs == [OLD, MID, NEW]
    assert not [name for name, f in page.figures.items() if f.marked]


def _measured(dom: str) -> dict[str, tuple[int, int, list[str]]]:
    """figure -> (width, height, [fill@diameter of each point]) from the probe page's DOM."""
    start = dom.index('<pre id="out">') + len('<pre id="out">')
    rows = dom[start : dom.index("</pre>", start)].splitlines()
    assert rows not in ([], ["not measured"]), f"the probe measured nothing: {rows}"
    out = {}
    for row in rows:
        name, width, height, *dots = row.split("|")
        out[name] = (int(width), int(height), dots)
    return out
