"""profiles/index.html in real headless Chromium, over HTTP from `./run.py profiles --serve` and
from file://, on a run folder recorded with py-spy from the service under load."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.support.browser import chromium_or_skip, distinct_rows, dump_dom, screenshot
from tests.support.profile_runs import LOAD, finished, profile
from tests.support.profiles_page import IndexPage

BROKEN = "20200101-000000-profile-broken"
# py-spy names a frame "function (path/relative/to/sys.path.py)"; Tornado's own modules are
# `tornado/...`, the service's Tornado layer is `taskservice/tornado/...`.
TORNADO_FRAME = re.compile(r"\(tornado/\w+\.py\)")
SERVICE_FRAME = re.compile(r"\(taskservice/[\w/]+\.py\)")


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_or_skip()


@pytest.fixture(scope="module")
def profiles(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A profiles folder with a real py-spy run and a run whose run.json is broken."""
    root = tmp_path_factory.mktemp("profiles")
    (root / BROKEN).mkdir()
    (root / BROKEN / "run.json").write_text("{not json")
    finished(profile(root, "--tool", "py-spy", *LOAD), root)
    return root


def recorded(profiles: Path) -> str:
    return next(p.name for p in profiles.iterdir() if p.name.endswith("-profile-py-spy-crud"))


def test_served_page_renders_the_runs_table_newest_first(
    chromium: str, profiles: Path, index_url: str
) -> None:
    page = IndexPage(dump_dom(chromium, index_url))

    assert "runs" in page.tables
    assert [r.folder for r in page.rows if r.folder != BROKEN] == [recorded(profiles)]
    assert [r.folder for r in page.rows][-1] == BROKEN  # 2020: the oldest
    run = page.row(recorded(profiles))
    for shown in ("profile", "py-spy", "crud", "attach"):
        assert shown in run.text
    assert "not valid JSON" in page.row(BROKEN).text


@pytest.mark.parametrize("via", ["http", "file"])
def test_flame_graph_link_opens_an_svg_with_tornado_and_service_frames(
    chromium: str, profiles: Path, index_url: str, via: str
) -> None:
    url = index_url if via == "http" else (profiles / "index.html").as_uri()
    page = IndexPage(dump_dom(chromium, url))
    hrefs = page.row(recorded(profiles)).hrefs("svg")
    assert sorted(hrefs) == [f"{recorded(profiles)}/pyspy-{p}.svg" for p in ("idle", "oncpu")]
    href = next(h for h in hrefs if h.endswith("oncpu.svg"))

    assert not re.match(r"^(/|[a-z]+:)", href), f"not a relative link: {href}"
    svg = dump_dom(chromium, urljoin(url, href))
    assert "<svg" in svg
    assert TORNADO_FRAME.search(svg), "no Tornado frame in the flame graph"
    assert SERVICE_FRAME.search(svg), "no taskservice frame in the flame graph"


def test_page_renders_to_a_screenshot_with_content(
    chromium: str, index_url: str, tmp_path: Path
) -> None:
    png = screenshot(chromium, index_url, tmp_path / "index.png")

    assert png.stat().st_size > 10_000
    assert distinct_rows(png) > 50  # text and table lines, not a blank page
