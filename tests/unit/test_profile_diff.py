"""Differential flame graphs: A scaled to B's total, every stack of either run, the title."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.profile import collapsed, diff
from bench.profile.folders import RunNotFound
from taskservice.profiling import render_svg


def _parsed(lines: list[str]) -> dict[str, tuple[int, int]]:
    return {s: (int(a), int(b)) for s, a, b in (line.rsplit(" ", 2) for line in lines)}


def test_a_is_scaled_so_both_totals_match() -> None:
    d = diff.diff_lines({"x;a": 10, "x;b": 30}, {"x;a": 40, "x;b": 40})
    assert (d.total_a, d.total_b, d.scale) == (40, 80, 2.0)
    rows = _parsed(d.lines)
    assert rows == {"x;a": (20, 40), "x;b": (60, 40)}
    assert sum(a for a, _ in rows.values()) == sum(b for _, b in rows.values())


def test_stacks_of_only_one_run_count_zero_in_the_other() -> None:
    d = diff.diff_lines({"x;gone": 5, "x;both": 5}, {"x;new": 5, "x;both": 5})
    assert _parsed(d.lines) == {"x;both": (5, 5), "x;gone": (5, 0), "x;new": (0, 5)}


def test_lines_are_sorted_by_stack() -> None:
    d = diff.diff_lines({"b": 1, "a": 1}, {"c": 1, "a": 1})
    assert [line.split(" ")[0] for line in d.lines] == ["a", "b", "c"]


def test_the_title_names_colours_the_scaling_and_both_totals() -> None:
    d = diff.diff_lines({"x": 100}, {"x": 250})
    title = diff.title("pyspy-oncpu", "run-a", "run-b", d)
    assert "run-a -> run-b" in title
    assert "red = more time in B" in title
    assert "x2.5" in title
    assert "A 100, B 250" in title


def _run(root: Path, name: str, pictures: dict[str, str], tool: str = "py-spy") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(
        json.dumps({"kind": "profile", "tool": tool, "scenario": "crud"})
    )
    for stem, text in pictures.items():
        (folder / f"{stem}.collapsed").write_text(text)
    return folder


def test_common_pictures_are_those_both_runs_hold_non_empty(tmp_path: Path) -> None:
    a = _run(
        tmp_path, "a", {"pyspy-oncpu": "x;y 3\n", "pyspy-idle": "x 1\n", "yappi-wall": "x 1\n"}
    )
    b = _run(tmp_path, "b", {"pyspy-oncpu": "x;z 4\n", "pyspy-idle": "", "yappi-cpu": "x 1\n"})
    assert diff.common(a, b) == ["pyspy-oncpu"]


def test_a_diff_folder_holds_an_svg_per_common_picture_and_its_run_json(tmp_path: Path) -> None:
    _run(
        tmp_path, "20260101-000000-profile-py-spy-crud", {"pyspy-oncpu": "m;tornado;a 10\nm;b 30\n"}
    )
    _run(
        tmp_path, "20260101-000100-profile-py-spy-crud", {"pyspy-oncpu": "m;tornado;a 40\nm;b 40\n"}
    )
    folder = diff.run(
        tmp_path,
        "20260101-000000-profile-py-spy-crud",
        str(tmp_path / "20260101-000100-profile-py-spy-crud"),
    )
    assert folder.parent == tmp_path
    assert folder.name.endswith(
        "-diff-20260101-000000-profile-py-spy-crud-vs-20260101-000100-profile-py-spy-crud"
    )
    svg = (folder / "diff-pyspy-oncpu.svg").read_text()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:500]
    assert "tornado" in svg
    assert "A 40, B 80" in svg
    lines = (folder / "diff-pyspy-oncpu.txt").read_text().splitlines()
    assert collapsed.total({s: int(a) for s, a, _ in (x.rsplit(" ", 2) for x in lines)}) == 80
    meta = json.loads((folder / "run.json").read_text())
    assert meta["kind"] == "diff"
    assert meta["tool"] == "py-spy"
    assert meta["pictures"] == [
        {
            "title": "diff pyspy-oncpu",
            "svg": "diff-pyspy-oncpu.svg",
            "lines": "diff-pyspy-oncpu.txt",
        }
    ]
    assert meta["stats"]["pyspy-oncpu"] == {"total_a": 40, "total_b": 80, "scale_a": 2.0}


def test_an_unknown_run_is_named_with_the_latest_ones(tmp_path: Path) -> None:
    _run(tmp_path, "20260101-000000-profile-py-spy-crud", {"pyspy-oncpu": "x 1\n"})
    with pytest.raises(RunNotFound, match=r"no profile run 'nope'.*latest: 20260101-000000"):
        diff.run(tmp_path, "20260101-000000-profile-py-spy-crud", "nope")


def test_runs_with_no_common_picture_are_refused(tmp_path: Path) -> None:
    _run(tmp_path, "a", {"pyspy-oncpu": "x 1\n"})
    _run(tmp_path, "b", {"yappi-wall": "x 1\n"}, tool="yappi")
    with pytest.raises(LookupError, match="share no picture"):
        diff.run(tmp_path, "a", "b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]  # no folder left behind


def _fills(svg: str) -> dict[str, tuple[int, int, int]]:
    """Each frame's name -> the (r, g, b) of its box, from inferno's `<title>` and `<rect>`."""
    found = re.finditer(
        r"<g><title>(\S+) [^<]*</title><rect[^>]*fill=\"rgb\((\d+),(\d+),(\d+)\)", svg
    )
    return {m[1]: (int(m[2]), int(m[3]), int(m[4])) for m in found}


def test_the_rendered_diff_paints_growth_red_and_shrinkage_blue() -> None:
    before = {"main;grow": 10, "main;shrink": 90}
    after = {"main;grow": 90, "main;shrink": 10}
    fills = _fills(render_svg(diff.diff_lines(before, after).lines, "t"))
    red, green, blue = fills["grow"]
    assert red > blue
    assert red > green
    red, green, blue = fills["shrink"]
    assert blue > red
    assert blue > green
    assert fills["main"][0] == fills["main"][2]  # unchanged: neither colour
