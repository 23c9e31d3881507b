"""profiles/index.html from a folder of runs of every kind, broken and hostile ones included."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from bench.profile.index import write_index
from bench.profile.serve import make_server
from tests.support.profiles_page import IndexPage

PROFILE = "20261128-054000-profile-py-spy-crud"
DIFF = "20261128-055000-diff-a-vs-b"
LOAD = "20261128-043128-crud-open"
BENCH = "20261128-041549-bench-micro"
BAD_JSON = "20261128-050000-profile-yappi-crud"
NOT_OBJECT = "20261128-050100-overhead-crud"
EMPTY = "20261128-030000-profile-py-spy-list"
HOSTILE = "<script>alert('x')<"
UNSTAMPED = "renamed-by-hand"
OLD = datetime(2025, 1, 1).timestamp()


def make(folder: Path, files: dict[str, str | dict[str, Any] | list[Any]]) -> Path:
    folder.mkdir(parents=True)
    for name, content in files.items():
        text = content if isinstance(content, str) else json.dumps(content)
        (folder / name).write_text(text)
    return folder


def profile_run(**overrides: Any) -> dict[str, Any]:
    run = {
        "kind": "profile", "tool": "py-spy", "scenario": "crud", "mode": "attach",
        "started_at": "2026-11-28T05:40:00Z", "rps": 812.3, "p99_ms": 31.0, "failures": 0,
        "commit": "abc1234", "dirty": False,
        "pictures": [{"title": "py-spy on-CPU", "svg": "oncpu.svg", "collapsed": "oncpu.collapsed",
                      "speedscope": "oncpu.speedscope.json"}],
        "reports": [{"title": "load summary", "path": "summary.md"}],
    }  # fmt: skip
    return {**run, **overrides}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A profiles folder holding one run of each kind, and the broken and the odd."""
    r = tmp_path / "profiles"
    make(r / PROFILE, {"run.json": profile_run(), "oncpu.svg": "<svg/>", "oncpu.collapsed": "a 1",
                       "oncpu.speedscope.json": "{}", "summary.md": "# crud"})  # fmt: skip
    diff = profile_run(kind="diff", tool=None, mode=None, pictures=[
        {"title": "a vs b", "svg": "diff.svg"},
        {"title": "absolute", "svg": "/etc/passwd"},
        {"title": "escapes", "svg": "../" + PROFILE + "/oncpu.svg"},
        {"title": "remote", "svg": "https://cdn.example/flame.svg"},
        {"title": "script", "svg": "javascript:alert(1)"},
        {"title": "gone", "svg": "gone.svg"},
        "not a picture",
    ], reports="not a list")  # fmt: skip
    make(r / DIFF, {"run.json": diff, "diff.svg": "<svg/>"})
    summary = {
        "title": "Load run: crud, open",
        "totals": {"rps": 100.1, "p99_ms": 15.0, "failures": 2},
    }
    make(r / LOAD, {"summary.json": summary, "summary.md": "# Load\n- commit ab66a3c, 2026\n",
                    "report.html": "<html></html>", "totals.json": "{}"})  # fmt: skip
    meta = {"commit": "ab66a3ce8e8a6a2386cb", "dirty": True}
    make(r / BENCH, {"meta.json": meta, "histogram-logfmt_[plain].svg": "<svg/>",
                     "summary.md": "# bench"})  # fmt: skip
    make(r / BAD_JSON, {"run.json": "{not json", "server.log": "boom"})
    make(r / NOT_OBJECT, {"run.json": ["a", "list"]})
    make(r / EMPTY, {})
    hostile = profile_run(scenario="<img src=x onerror=alert(1)>", started_at=None)
    make(r / HOSTILE, {"run.json": hostile})
    make(r / UNSTAMPED, {"run.json": profile_run(started_at="2027-01-01T00:00:00Z")})
    make(r / ".half-written", {})
    (r / "README.md").write_text("# profiles/")
    os.utime(r / HOSTILE, (OLD, OLD))
    return r


def page(root: Path) -> tuple[str, IndexPage]:
    html = write_index(root).read_text()
    return html, IndexPage(html)


def test_every_run_folder_is_listed_newest_first(root: Path) -> None:
    _, parsed = page(root)

    # By the time in the folder's name; else run.json's started_at; else the folder's mtime.
    expected = [UNSTAMPED, DIFF, PROFILE, NOT_OBJECT, BAD_JSON, LOAD, BENCH, EMPTY, HOSTILE]
    assert [r.folder for r in parsed.rows] == expected


def test_strings_from_disk_are_escaped(root: Path) -> None:
    html, parsed = page(root)

    assert "<script" not in html.lower()
    assert "<img src=x" not in html
    assert parsed.row(HOSTILE).text.count("<img src=x onerror=alert(1)>") == 1
    assert HOSTILE in [r.folder for r in parsed.rows]


def test_every_link_is_relative_and_names_a_file_in_the_folder(root: Path) -> None:
    _, parsed = page(root)

    assert parsed.urls
    for url in parsed.urls:
        parts = urlsplit(url)
        assert not parts.scheme, url
        assert not parts.netloc, url
        assert not url.startswith("/"), url
        target = root / unquote(parts.path)
        assert ".." not in Path(unquote(parts.path)).parts, url
        assert target.exists(), f"dead link {url}"


def test_page_refers_to_nothing_on_the_network(root: Path) -> None:
    html, _ = page(root)

    assert "http://" not in html
    assert "https://" not in html
    assert "//" not in "".join(IndexPage(html).urls)


def test_profile_row_shows_its_numbers_pictures_and_downloads(root: Path) -> None:
    _, parsed = page(root)
    row = parsed.row(PROFILE)

    for shown in ("profile", "crud", "py-spy", "attach", "812.3", "31.0", "abc1234"):
        assert shown in row.text
    assert row.hrefs("svg") == [f"{PROFILE}/oncpu.svg"]
    assert f"{PROFILE}/oncpu.collapsed" in row.hrefs("")
    assert f"{PROFILE}/oncpu.speedscope.json" in row.hrefs("")
    assert f"{PROFILE}/summary.md" in row.hrefs("")
    assert f"{PROFILE}/run.json" in row.hrefs("")


def test_pictures_that_are_missing_or_point_outside_are_shown_but_not_linked(root: Path) -> None:
    _, parsed = page(root)
    row = parsed.row(DIFF)

    assert row.hrefs("svg") == [f"{DIFF}/diff.svg"]
    for title in ("absolute", "escapes", "remote", "script", "gone"):
        assert title in row.text
    assert "some pictures are not readable" in row.text
    assert "some reports are not readable" in row.text


def test_load_and_bench_runs_show_what_they_hold(root: Path) -> None:
    _, parsed = page(root)
    load, bench = parsed.row(LOAD), parsed.row(BENCH)

    for shown in ("load", "crud", "open", "100.1", "15.0", "2 failed", "ab66a3c"):
        assert shown in load.text
    assert {f"{LOAD}/summary.md", f"{LOAD}/report.html"} <= set(load.hrefs(""))
    assert "bench" in bench.text
    assert "micro" in bench.text
    assert "ab66a3ce8e (dirty)" in bench.text
    assert bench.hrefs("svg") == [f"{BENCH}/histogram-logfmt_%5Bplain%5D.svg"]


def test_broken_and_empty_folders_are_listed_with_their_problem(root: Path) -> None:
    _, parsed = page(root)

    assert "run.json: not valid JSON" in parsed.row(BAD_JSON).text
    assert f"{BAD_JSON}/server.log" in parsed.row(BAD_JSON).hrefs("")
    assert "run.json: not a JSON object" in parsed.row(NOT_OBJECT).text
    assert "no run.json" in parsed.row(EMPTY).text


def test_an_empty_profiles_folder_gets_a_page_that_says_so(tmp_path: Path) -> None:
    _, parsed = page(tmp_path)

    assert parsed.rows == []
    assert "No runs yet" in (tmp_path / "index.html").read_text()


def test_the_page_is_replaced_whole_and_readable_by_all(root: Path) -> None:
    first = write_index(root)
    second = write_index(root)

    assert first == second == root / "index.html"
    assert stat.S_IMODE(second.stat().st_mode) == 0o644
    assert [p.name for p in root.iterdir() if p.is_file()] == sorted(["README.md", "index.html"])


def test_a_failed_write_leaves_the_old_page_and_no_temporary_file(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = write_index(root).read_text()
    (root / PROFILE / "run.json").unlink()

    def refuse(src: str, dst: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_index(root)
    assert (root / "index.html").read_text() == old
    assert [p.name for p in root.iterdir() if p.name.startswith(".index-")] == []


def test_a_missing_profiles_folder_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no profiles folder at .*nowhere"):
        write_index(tmp_path / "nowhere")


def test_the_server_listens_on_loopback_only(tmp_path: Path) -> None:
    with make_server(tmp_path, 0) as server:
        host, port = server.server_address[:2]

    assert host == "127.0.0.1"
    assert port > 0


def test_a_profile_runs_layer_table_is_shown_under_it(tmp_path: Path) -> None:
    rows = [
        {"layer": "HTTP transport", "share": 0.22, "us": 48.0},
        {"layer": "framework", "share": 0.37, "us": 81.0},
        {"layer": "<b>odd</b>", "share": "not a number", "us": None},
        "not a row",
    ]
    run = profile_run(layers={"picture": "pyspy-oncpu", "cpu_us_per_request": 220, "rows": rows})
    make(tmp_path / PROFILE, {"run.json": run})
    html = write_index(tmp_path).read_text()
    assert "where the time goes, by layer" in html
    assert '<td>HTTP transport</td><td class="num">22.0%</td><td class="num">48.0</td>' in html
    assert '<td>framework</td><td class="num">37.0%</td><td class="num">81.0</td>' in html
    assert "<b>odd</b>" not in html
    assert '&lt;b&gt;odd&lt;/b&gt;</td><td class="num">—</td>' in html


def test_a_diffs_layer_change_is_shown_under_it(tmp_path: Path) -> None:
    rows = [{"layer": "event loop", "us_a": 75.0, "us_b": 35.0, "change": -40.0}]
    make(tmp_path / DIFF, {"run.json": profile_run(kind="diff", layers_diff=rows)})
    html = write_index(tmp_path).read_text()
    assert "<th>change</th>" in html
    assert '<td>event loop</td><td class="num">35.0</td><td class="num">-40</td>' in html
