"""Load shapes as functions of time: step's stairs and spike's burst."""

from __future__ import annotations

from bench.load.plans import STAIRS, spike_users, step_users


def test_step_climbs_stairs_to_the_peak_then_stops() -> None:
    users = [u for t in range(50) if (u := step_users(t, 50, 50.0)) is not None]
    assert len(users) == 50
    assert users[0] == 10
    assert users[-1] == 50
    assert len(set(users)) == STAIRS
    assert users == sorted(users)  # never down
    assert step_users(50.0, 50, 50.0) is None


def test_step_never_runs_zero_users() -> None:
    assert step_users(0.0, 1, 10.0) == 1


def test_spike_bursts_to_the_peak_in_the_middle_fifth_only() -> None:
    assert spike_users(0.0, 100, 100.0) == 20
    assert spike_users(39.9, 100, 100.0) == 20
    assert spike_users(40.0, 100, 100.0) == 100
    assert spike_users(59.9, 100, 100.0) == 100
    assert spike_users(60.0, 100, 100.0) == 20
    assert spike_users(100.0, 100, 100.0) is None
