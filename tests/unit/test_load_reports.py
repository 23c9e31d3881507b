"""Report folders: named by time, scenario and kind, never reused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.load import reports
from bench.load.options import LoadOptions


@pytest.fixture(autouse=True)
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(reports, "PROFILES", tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("options", "suffix"),
    [
        (LoadOptions(scenario="crud"), "crud-closed"),
        (LoadOptions(scenario="list", rate=10), "list-open"),
        (LoadOptions(scenario="read-heavy", shape="spike"), "read-heavy-spike"),
        (LoadOptions(scenario="crud", kind="py-spy"), "crud-py-spy"),
    ],
)
def test_folder_is_named_by_time_scenario_and_kind(options: LoadOptions, suffix: str) -> None:
    folder = reports.new_folder(options)
    assert folder.is_dir()
    assert re.fullmatch(rf"\d{{8}}-\d{{6}}-{suffix}", folder.name)


def test_runs_in_the_same_second_get_their_own_folders(profiles: Path) -> None:
    first, second = (reports.new_folder(LoadOptions()) for _ in range(2))
    assert first != second
    assert second.name == f"{first.name}-2" or first.name[:15] != second.name[:15]
