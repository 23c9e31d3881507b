"""The output folder check, the SVG renderer and the /debug/profile query."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskservice.errors import ValidationError
from taskservice.profiling import OutputError, RenderError, check_output_folder, render_svg
from taskservice.profiling.query import MAX_SECONDS, ProfileQuery, parse_profile_query


def test_output_folder_is_created_when_missing(tmp_path: Path) -> None:
    check_output_folder(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
    assert list((tmp_path / "a" / "b").iterdir()) == []  # the probe file is gone


def test_output_folder_behind_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match=r"^profiling.output: cannot write to .*file/out: ") as e:
        check_output_folder(tmp_path / "file" / "out")
    assert "\n" not in str(e.value)


def test_render_svg_draws_the_frames_it_is_given() -> None:
    svg = render_svg(["GET /r;handler;work 30", "GET /r;handler 10"], "a title")
    assert svg.startswith("<?xml")
    assert svg.rstrip().endswith("</svg>")
    assert all(text in svg for text in ("GET /r", "handler", "work", "a title"))


def test_render_svg_of_nothing_is_still_a_picture() -> None:
    assert "(no samples)" in render_svg([], "empty")


def test_render_svg_of_malformed_lines_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="cannot render flame graph"):
        render_svg(["no count here"], "bad")


def q(**params: str | list[str]) -> dict[str, list[bytes]]:
    return {k: [x.encode() for x in ([v] if isinstance(v, str) else v)] for k, v in params.items()}


def test_profile_query_defaults_and_values() -> None:
    assert parse_profile_query({}) == ProfileQuery(10, "cpu", "svg")
    query = parse_profile_query(q(seconds="60", clock="wall", format="pstat"))
    assert query == ProfileQuery(MAX_SECONDS, "wall", "pstat")
    assert parse_profile_query(q(seconds="1")).seconds == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (q(seconds="0"), "seconds: must be a whole number from 1 to 60"),
        (q(seconds="61"), "seconds: must be a whole number from 1 to 60"),
        (q(seconds="1.5"), "seconds: must be a whole number from 1 to 60"),
        (q(seconds="-1"), "seconds: must be a whole number from 1 to 60"),
        (q(seconds="ten"), "seconds: must be a whole number from 1 to 60"),
        (q(seconds=""), "seconds: must be a whole number from 1 to 60"),
        (q(seconds=["1", "2"]), "seconds: given more than once"),
        (q(clock="gpu"), "clock: must be one of cpu, wall, got 'gpu'"),
        (q(format="png"), "format: must be one of svg, pstat, got 'png'"),
        (q(format="x" * 100), "format: must be one of svg, pstat, got 'xxxxxxxx"),
        (q(duration="5"), "'duration': unknown query parameter"),
    ],
)
def test_bad_profile_query_names_each_bad_parameter(
    params: dict[str, list[bytes]], message: str
) -> None:
    with pytest.raises(ValidationError) as e:
        parse_profile_query(params)
    assert message in str(e.value)
    assert len(str(e.value)) < 200  # a long value is cut, not echoed whole


def test_every_bad_parameter_is_named_at_once() -> None:
    with pytest.raises(ValidationError, match=r"seconds: .*; clock: .*; format: "):
        parse_profile_query(q(seconds="0", clock="x", format="y"))
