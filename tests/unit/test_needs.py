"""What tests lack from the machine: a skip that names it (a failure under CI), and the one line
`./run.py test` ends with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import needs


def skips(*missing: needs.Need | None) -> list[dict[str, Any]]:
    """Skip records as the plugin writes them, one per need (None: some other reason)."""
    return [
        {"test": f"t{i}", "reason": "r", "need": None if n is None else vars(n)}
        for i, n in enumerate(missing)
    ]


def test_nothing_skipped_says_nothing() -> None:
    assert needs.summary([], root=False) is None


def test_the_line_names_what_is_missing_once_and_the_packages_to_install() -> None:
    line = needs.summary(skips(*[needs.POSTGRES] * 40, *[needs.CHROMIUM] * 16), root=False)
    assert line == (
        "56 tests skipped: PostgreSQL (initdb, pg_ctl) and Chromium missing; "
        "install them with: sudo apt-get install postgresql chromium"
    )


def test_as_root_the_command_needs_no_sudo_and_one_package_is_it() -> None:
    line = needs.summary(skips(needs.WRK), root=True)
    assert line == "1 test skipped: wrk missing; install it with: apt-get install wrk"


def test_three_needs_and_other_reasons_are_all_counted() -> None:
    line = needs.summary(skips(needs.POSTGRES, needs.CHROMIUM, needs.WRK, None, None), root=False)
    assert line == (
        "5 tests skipped: PostgreSQL (initdb, pg_ctl), Chromium and wrk missing; "
        "2 more for other reasons (pytest's SKIPPED lines above say which); "
        "install them with: sudo apt-get install postgresql chromium wrk"
    )


def test_a_need_no_package_brings_is_named_without_a_command() -> None:
    line = needs.summary(skips(needs.POSTGRES_SERVER, needs.POSTGRES_SERVER), root=True)
    assert line == "2 tests skipped: a PostgreSQL server (TASKSERVICE_TEST_POSTGRES) missing"


def test_skips_for_other_reasons_only_point_at_pytests_lines() -> None:
    assert needs.summary(skips(None), root=True) == (
        "1 test skipped; pytest's SKIPPED lines above say why"
    )


def test_the_line_is_read_from_the_plugins_file_and_no_file_is_no_line(tmp_path: Path) -> None:
    path = tmp_path / "skips.json"
    assert needs.summary_from(path, root=True) is None
    path.write_text(json.dumps({"skipped": skips(needs.CHROMIUM)}))
    assert needs.summary_from(path, root=True) == (
        "1 test skipped: Chromium missing; install it with: apt-get install chromium"
    )


def test_a_missing_need_skips_off_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no wrk here"):
        needs.skip_or_fail(needs.WRK, "no wrk here")


def test_a_missing_need_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"no wrk here; \.ci/run provides it"):
        needs.skip_or_fail(needs.WRK, "no wrk here")
