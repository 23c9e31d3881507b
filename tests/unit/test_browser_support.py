"""The headless-Chromium tests skip only off CI: in CI a missing browser is a failure."""

from __future__ import annotations

import pytest

from tests.support import browser


@pytest.fixture
def no_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)


@pytest.mark.usefixtures("no_chromium")
def test_missing_chromium_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed"):
        browser.chromium_or_skip()


@pytest.mark.usefixtures("no_chromium")
def test_missing_chromium_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        browser.chromium_or_skip()


def test_present_chromium_is_found_by_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: f"/opt/{name}")
    assert browser.chromium_or_skip() == "/opt/chromium"
