"""Collapsed stacks: parsing py-spy's lines, adding profiles up, ranking frames by self time."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.profile import collapsed
from bench.profile.collapsed import CollapsedError

PYSPY = [
    "<module> (server.py);main (server.py);_run_once (asyncio/base_events.py) 3",
    "<module> (server.py);main (server.py);RequestHandler._execute (tornado/web.py) 5",
    "",
    "<module> (server.py);main (server.py);_run_once (asyncio/base_events.py) 2",
]


def test_counts_follow_the_last_space_so_frames_keep_theirs() -> None:
    stacks = collapsed.parse(PYSPY)
    assert (
        stacks["<module> (server.py);main (server.py);RequestHandler._execute (tornado/web.py)"]
        == 5
    )


def test_a_stack_seen_twice_adds_up_and_blank_lines_are_skipped() -> None:
    stacks = collapsed.parse(PYSPY)
    assert len(stacks) == 2
    assert stacks["<module> (server.py);main (server.py);_run_once (asyncio/base_events.py)"] == 5
    assert collapsed.total(stacks) == 10


@pytest.mark.parametrize("line", ["no-count-here", "a;b x", "a;b -3", "a;b 1.5", "7"])
def test_a_line_without_a_whole_count_is_refused_with_its_number(line: str) -> None:
    with pytest.raises(CollapsedError, match="line 2 is not `stack COUNT`"):
        collapsed.parse(["a;b 1", line])


def test_an_empty_stack_as_py_spy_writes_it_counts_as_no_python_frames() -> None:
    stacks = collapsed.parse(["a;b 1", " 2", "   ", "\t"])
    assert stacks == {"a;b": 1, collapsed.NO_FRAMES: 2}
    assert collapsed.lines(stacks)[0] == "(no Python frames) 2"


def test_a_bad_file_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "x.collapsed"
    path.write_text("a;b 1\nbroken\n")
    with pytest.raises(CollapsedError, match=r"x\.collapsed: line 2"):
        collapsed.read(path)


def test_lines_come_back_sorted_without_empty_stacks() -> None:
    assert collapsed.lines({"b;c": 2, "a": 1, "z": 0}) == ["a 1", "b;c 2"]


def test_lines_parse_back_to_the_same_stacks() -> None:
    stacks = collapsed.parse(PYSPY)
    assert collapsed.parse(collapsed.lines(stacks)) == stacks


def test_merge_adds_profiles_stack_by_stack() -> None:
    merged = collapsed.merge({"a;b": 1, "a": 2}, {"a;b": 3, "c": 4})
    assert merged == {"a;b": 4, "a": 2, "c": 4}
    assert collapsed.total(merged) == 10


def test_self_time_charges_each_stack_to_its_last_frame() -> None:
    own = collapsed.self_time({"a;b;c": 3, "x;c": 2, "a;b": 4})
    assert own == {"c": 5, "b": 4}


def test_top_ranks_frames_by_self_time_with_their_share() -> None:
    ranked = collapsed.top({"a;b;c": 3, "x;c": 2, "a;b": 4, "a": 1}, n=2)
    assert ranked == [("c", 5, 0.5), ("b", 4, 0.4)]
