"""The history section of profiles/index.html: a figure per metric, marks, links, the option."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.profile import history_svg, serve
from bench.profile.history import read_history
from bench.profile.index import write_index
from tests.support.bench_runs import load, ratios, save
from tests.support.profiles_page import IndexPage

OLD, NEW = "20261201-100000-bench-all", "20261202-100000-bench-all"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Two bench runs: the second's get-one ratio is 20% lower, its crud p99 15% higher."""
    save(tmp_path, OLD, "1111111aaaa", ratios_json=ratios(), load_json=load(crud={}))
    save(tmp_path, NEW, "2222222bbbb", ratios_json=ratios({"get-one": 0.8}),
         load_json=load(crud={"p99_ms": 80.5}))  # fmt: skip
    return tmp_path


def test_the_page_draws_one_svg_per_figure_with_a_point_per_run(root: Path) -> None:
    page = IndexPage(write_index(root).read_text())

    names = {s.name for s in read_history(root).series}
    assert set(page.figures) == names
    assert "load crud rps" in names
    assert "ratio minimal-llhttp-get" in names
    assert all(f.runs == [OLD, NEW] for f in page.figures.values())


def test_the_worse_run_is_marked_in_its_figures_and_listed(root: Path) -> None:
    html = write_index(root).read_text()
    page = IndexPage(html)

    assert {n for n, f in page.figures.items() if f.marked} == {"ratio get-one", "load crud p99_ms"}
    assert page.figures["ratio get-one"].marked == [NEW]
    listed = re.search(r'<ul id="regressions">(.*?)</ul>', html, re.S)
    assert listed
    assert "ratio get-one" in listed.group(1)
    assert "load crud p99_ms" in listed.group(1)


def test_a_higher_threshold_marks_nothing_from_the_command_line(root: Path) -> None:
    assert serve.main(["--profiles", str(root), "--threshold", "30"]) == 0

    page = IndexPage((root / "index.html").read_text())
    assert not [f for f in page.figures.values() if f.marked]
    assert "more than 30% worse" in (root / "index.html").read_text()


@pytest.mark.parametrize("text", ["-1", "ten", "inf", "nan"])
def test_a_threshold_that_is_not_a_finite_percentage_is_refused(text: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        serve.parse_args(["--threshold", text])
    assert exit_.value.code == 2


def test_the_threshold_defaults_to_bench_compares_ten_percent() -> None:
    assert serve.parse_args([]).threshold == 10.0
    assert serve.parse_args(["--threshold", "5%"]).threshold == 5.0


def test_each_point_links_to_its_run_folder_and_is_labelled_with_its_commit(root: Path) -> None:
    page = IndexPage(write_index(root).read_text())

    assert {f"{OLD}/", f"{NEW}/"} <= set(page.urls)
    text = page.figures["ratio get-one"].text
    assert "1111111" in text
    assert "2222222" in text
    # 20% lower is 25% worse by `bench --compare`'s rule for rates: 1.7 / 1.36 - 1.
    assert "25.0% worse than the run before" in text


def test_the_history_names_nothing_on_the_network(root: Path) -> None:
    html = write_index(root).read_text()

    assert "http://" not in html
    assert "https://" not in html
    assert "//" not in "".join(IndexPage(html).urls)


def test_a_page_without_bench_runs_says_how_to_save_one(tmp_path: Path) -> None:
    html = write_index(tmp_path).read_text()

    assert IndexPage(html).figures == {}
    assert "<code>./run.py bench</code> saves one here" in html


def test_names_read_from_disk_are_escaped(tmp_path: Path) -> None:
    save(tmp_path, "20261201-100000-<b>bench", load_json={"scenarios": {"<script>x": {"rps": 1}}})

    html = write_index(tmp_path).read_text()

    assert "<script>x" not in html
    assert "<b>bench" not in html
    assert "&lt;script&gt;x" in html


def test_many_runs_label_at_most_eight_commits_the_newest_among_them(tmp_path: Path) -> None:
    for day in range(1, 21):
        save(tmp_path, f"202612{day:02d}-100000-bench-load", f"c{day:02d}ffff",
             load_json=load(crud={"rps": 800.0 + day}))  # fmt: skip

    svg = history_svg.figure(read_history(tmp_path).series[0])

    labels = re.findall(r'class="tick commit"[^>]*>([^<]*)<', svg)
    assert 0 < len(labels) <= 8
    assert "c20ffff" in labels
    assert svg.count("<circle") == 20


def test_a_bench_runs_row_links_its_ratios_and_capacity_files(root: Path) -> None:
    (root / NEW / "capacity.json").write_text('{"scenarios": {}}')

    row = IndexPage(write_index(root).read_text()).row(NEW)

    assert f"{NEW}/ratios.json" in row.hrefs("")
    assert f"{NEW}/capacity.json" in row.hrefs("")


def test_only_the_ten_newest_regressions_are_listed_above_the_figures(tmp_path: Path) -> None:
    for day in range(1, 25):  # p99 up 20% every other day: 12 regressions
        p99 = 100.0 if day % 2 else 120.0
        save(tmp_path, f"202612{day:02d}-100000-bench-load", load_json=load(crud={"p99_ms": p99}))

    html = write_index(tmp_path).read_text()

    listed = re.findall(r"<li>load crud p99_ms: (\d{8})", html)
    assert listed == [f"202612{day:02d}" for day in range(24, 4, -2)]
    assert "<li>and 2 earlier" in html
    assert len(IndexPage(html).figures["load crud p99_ms"].marked) == 12


def test_runs_a_hair_apart_get_three_distinct_value_ticks(tmp_path: Path) -> None:
    save(tmp_path, OLD, "1111111aaaa", ratios_json=ratios())
    save(tmp_path, NEW, "2222222bbbb", ratios_json=ratios({"get-one": 1.006}))
    series = next(s for s in read_history(tmp_path).series if s.name == "ratio get-one")

    svg = history_svg.figure(series)

    ticks = re.findall(r'class="tick" x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]*)<', svg)
    values = ticks[:3]  # the value ticks come first, then the date span
    assert len(set(values)) == 3, values
