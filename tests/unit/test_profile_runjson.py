"""run.json: the keys the index relies on, the load's numbers, provenance."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench.load.service import LOAD_CONFIG
from bench.load.totals import Totals
from bench.profile import runjson
from bench.profile.options import ProfileRequest

CONTRACT_KEYS = [
    "kind", "tool", "scenario", "started_at", "duration_s", "users", "rate", "commit", "dirty",
    "config", "versions", "rps", "p50_ms", "p99_ms", "failures", "mode", "pictures", "reports",
]  # fmt: skip


def _totals() -> Totals:
    times = Counter({5.0: 50, 9.0: 49, 40.0: 1})
    return Totals("", "Aggregated", requests=100, failures=2, start=10.0, end=20.0,
                  response_times=times)  # fmt: skip


def test_a_profile_run_has_every_contract_key_in_order() -> None:
    req = ProfileRequest(tool="py-spy", scenario="crud", duration_s=10, users=4)
    data = runjson.build("profile", req, "2026-11-28T05:40:00Z", _totals(), "attach")
    assert list(data)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS
    assert (data["kind"], data["tool"], data["scenario"], data["mode"]) == (
        "profile", "py-spy", "crud", "attach",
    )  # fmt: skip
    assert (data["duration_s"], data["users"], data["rate"]) == (10, 4, None)


def test_the_load_numbers_come_from_the_totals() -> None:
    req, totals = ProfileRequest(tool="yappi"), _totals()
    data = runjson.build("profile", req, runjson.now(), totals)
    assert data["rps"] == 10.0  # 100 requests over 10 s
    assert (data["p50_ms"], data["p99_ms"]) == (totals.pct(0.5), totals.pct(0.99))
    assert data["p50_ms"] < data["p99_ms"]
    assert data["failures"] == 2


def test_without_a_load_the_numbers_are_null() -> None:
    data = runjson.build("diff", None, runjson.now(), a="x", b="y")
    assert [data[k] for k in ("rps", "p50_ms", "p99_ms", "failures", "tool")] == [None] * 5
    assert (data["a"], data["b"]) == ("x", "y")


def test_the_default_users_are_the_closed_models_and_the_config_is_relative() -> None:
    data = runjson.build("profile", ProfileRequest(tool="py-spy"), runjson.now())
    assert data["users"] == 10
    assert data["config"] == "configs/todoList-load.yaml"
    assert LOAD_CONFIG.is_file()


def test_versions_name_python_and_the_profiling_packages() -> None:
    versions = runjson.versions()
    assert set(versions) == {"python", "tornado", "py-spy", "yappi", "locust", "pyinferno"}
    assert all(v for v in versions.values())  # all installed with the profile extra


def test_commit_is_the_short_head_and_dirty_a_bool() -> None:
    head, dirty = runjson.commit()
    assert len(head) >= 7
    assert isinstance(dirty, bool)


def test_written_run_json_reads_back(tmp_path: Path) -> None:
    data = runjson.build(
        "profile", ProfileRequest(tool="py-spy"), runjson.now(), pictures=[{"title": "t"}]
    )
    runjson.write(tmp_path, data)
    assert runjson.read(tmp_path) == data
    assert runjson.now().endswith("Z")
