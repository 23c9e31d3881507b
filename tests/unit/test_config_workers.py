"""The config keys of issue 8: server.workers and server.loop_lag_warning."""

from __future__ import annotations

import pytest

from taskservice.config import Config, ConfigError, parse


def test_one_worker_and_a_quarter_second_lag_warning_by_default() -> None:
    config = parse({})
    assert (config.workers, config.loop_lag_warning_s) == (1, 0.25)


def test_workers_and_lag_warning_are_read() -> None:
    config = parse(
        {
            "server": {"workers": 4, "loop_lag_warning": 0.5},
            "store": {"url": "sqlite:///data/tasks.db"},
        }
    )
    assert (config.workers, config.loop_lag_warning_s) == (4, 0.5)


def test_a_zero_lag_warning_turns_the_watchdog_off() -> None:
    assert parse({"server": {"loop_lag_warning": 0}}).loop_lag_warning_s == 0


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ({"workers": 0}, "server.workers: expected an integer from 1 to 256, got 0"),
        ({"workers": "2"}, "server.workers: expected an integer from 1 to 256, got '2'"),
        ({"loop_lag_warning": -1}, "server.loop_lag_warning: expected seconds from 0"),
    ],
)
def test_bad_values_name_their_key(server: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{message}"):
        parse({"server": server})


def test_several_workers_refuse_the_memory_store() -> None:
    with pytest.raises(ConfigError, match=r"^server\.workers: 2 workers cannot share the memory"):
        parse({"server": {"workers": 2}, "store": {"url": "memory://"}})


def test_one_worker_keeps_the_memory_store() -> None:
    assert parse({"server": {"workers": 1}, "store": {"url": "memory://"}}).workers == 1


def test_an_override_to_several_workers_is_checked_against_the_store() -> None:
    with pytest.raises(ConfigError, match=r"^server\.workers"):
        Config(store_url="memory://").with_overrides(workers=3)
