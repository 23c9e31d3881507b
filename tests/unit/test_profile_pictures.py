"""A run's pictures: SVG and speedscope from collapsed stacks, the index regenerated after."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from bench.profile import pictures, reindex, speedscope
from taskservice.profiling import RenderError

STACKS = "main (server.py);_execute (tornado/web.py);create (taskservice/service.py) 7\n"


def test_a_picture_gets_its_svg_and_speedscope_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "pyspy-oncpu.collapsed").write_text(STACKS)
    entry = pictures.make(tmp_path, "pyspy-oncpu", "py-spy on-CPU", "t", "milliseconds", 10.0)
    assert entry == {
        "title": "py-spy on-CPU",
        "svg": "pyspy-oncpu.svg",
        "collapsed": "pyspy-oncpu.collapsed",
        "speedscope": "pyspy-oncpu.speedscope.json",
    }  # files only: the index links every one
    assert pictures.stats(tmp_path, "pyspy-oncpu", "samples", errors=1) == {
        "total": 7,
        "unit": "samples",
        "errors": 1,
    }
    svg = (tmp_path / entry["svg"]).read_text()
    assert "taskservice/service.py" in svg
    assert "tornado/web.py" in svg
    doc = json.loads((tmp_path / entry["speedscope"]).read_text())
    assert doc["profiles"][0]["endValue"] == 70.0
    assert speedscope.to_stacks(doc, 10.0) == {STACKS.rsplit(" ", 1)[0]: 7}


def test_an_svg_the_service_drew_is_kept(tmp_path: Path) -> None:
    (tmp_path / "yappi-wall.collapsed").write_text(STACKS)
    (tmp_path / "yappi-wall.svg").write_text("<svg>the service's</svg>")
    pictures.make(tmp_path, "yappi-wall", "yappi wall", "t", "microseconds", 1.0, keep_svg=True)
    assert (tmp_path / "yappi-wall.svg").read_text() == "<svg>the service's</svg>"


@pytest.mark.parametrize("text", [None, ""])
def test_a_missing_or_empty_profile_is_a_one_line_error(tmp_path: Path, text: str | None) -> None:
    if text is not None:
        (tmp_path / "pyspy-idle.collapsed").write_text(text)
    with pytest.raises(RenderError, match=r"py-spy idle: .*pyspy-idle\.collapsed"):
        pictures.make(tmp_path, "pyspy-idle", "py-spy idle", "t", "none", 1.0)


def test_the_index_is_regenerated_through_write_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []

    def write_index(root: Path) -> Path:
        calls.append(root)
        return root / "index.html"

    fake = types.ModuleType("bench.profile.index")
    fake.write_index = write_index  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bench.profile.index", fake)
    assert reindex.regenerate(tmp_path) == tmp_path / "index.html"
    assert calls == [tmp_path]


def test_without_the_index_module_the_run_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "bench.profile.index", None)
    assert reindex.regenerate(tmp_path) is None
    assert (
        capsys.readouterr().err == "profile: no bench.profile.index; index.html not regenerated\n"
    )
