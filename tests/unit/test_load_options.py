"""Load run options: durations as users type them, and each model's default user count."""

from __future__ import annotations

import pytest

from bench.load.options import LoadOptions, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("45", 45), ("2m", 120), ("1h30m", 5400), ("1m30s", 90)]
)
def test_durations_parse_to_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5x", "0s", "0.5s", "-3s"])
def test_malformed_or_too_short_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|at least 1 s"):
        parse_duration(text)


def test_each_model_names_its_kind_and_default_users() -> None:
    assert (LoadOptions().model, LoadOptions().user_count) == ("closed", 10)
    assert (LoadOptions(rate=100).model, LoadOptions(rate=100).user_count) == ("open", 1)
    assert LoadOptions(rate=100, workers=3).user_count == 3
    assert LoadOptions(shape="spike", users=40).model == "spike"
