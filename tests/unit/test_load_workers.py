"""A master's tally of its workers, the worker's master address, and how the report shows them."""

from __future__ import annotations

import argparse
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from bench.load import reports, totals, workers
from bench.load.cli import master_address
from bench.load.options import LoadOptions
from bench.load.summary import Report, render


def report(requests: int, cpu_s: float, wall_s: float) -> dict[str, Any]:
    """A worker's report to the master as locust sends it, with the harness's CPU field."""
    return {
        "stats_total": {"num_requests": requests},
        workers.KEY: {"cpu_s": cpu_s, "wall_s": wall_s},
    }


def test_tally_adds_each_workers_reports_and_weighs_cpu_by_the_time_they_cover(
    tmp_path: Path,
) -> None:
    tally = workers.Tally()
    tally.on_report("a", report(100, 1.5, 3.0))
    tally.on_report("b", report(40, 0.3, 3.0))
    tally.on_report("a", report(7, 0.0, 0.01))  # the final report, just after the last
    tally.on_report("a", {"stats_total": {"num_requests": 0}})  # before its test started
    tally.write(tmp_path / "workers.json")

    read = workers.read(tmp_path / "workers.json")
    assert read is not None
    assert [(w.id, w.requests) for w in read] == [("a", 107), ("b", 40)]
    assert read[0].cpu_pct == pytest.approx(100 * 1.5 / 3.01, abs=0.1)
    assert read[1].cpu_pct == pytest.approx(10.0)


def test_a_run_without_a_master_has_no_workers_file(tmp_path: Path) -> None:
    assert workers.read(tmp_path / "workers.json") is None


def test_summary_lists_each_worker_and_warns_of_a_busy_one() -> None:
    busy = workers.WorkerUse("w-busy", 900, 97.0)
    calm = workers.WorkerUse("w-calm", 880, 40.0)
    page = render(Report("Load run", [], totals.from_entries([]), workers=[busy, calm]))
    assert "2 worker(s) reported to the master" in page
    assert "| `w-busy` | 900 | 97% |" in page
    assert "| `w-calm` | 880 | 40% |" in page
    assert "generator-bound worker(s)** w-busy:" in page


def test_summary_without_a_master_has_no_workers_section() -> None:
    assert "## Workers" not in render(Report("Load run", [], totals.from_entries([])))


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (LoadOptions(), "one process"),
        (LoadOptions(workers=2), "master and 2 local worker(s)"),
        (LoadOptions(remote_workers=3), "master and 3 remote worker(s)"),
        (LoadOptions(workers=1, remote_workers=2), "master and 1 local and 2 remote worker(s)"),
    ],
)
def test_facts_name_the_generator_processes(options: LoadOptions, said: str) -> None:
    assert f"locust {metadata.version('locust')}, {said}" in "\n".join(
        reports.facts(options, "http://127.0.0.1:1", None, None)
    )


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("10.0.0.5:6000", ("10.0.0.5", 6000)),
        ("loadmaster", ("loadmaster", 5557)),
        ("[::1]:6000", ("::1", 6000)),
        ("[::1]", ("::1", 5557)),
        ("::1", ("::1", 5557)),  # unbracketed IPv6 is a host alone
    ],
)
def test_master_address_takes_host_and_optional_port(text: str, address: tuple[str, int]) -> None:
    assert master_address(text) == address


@pytest.mark.parametrize("text", ["10.0.0.5:x", ":5557", "host:0", "host:70000", "[::1]x"])
def test_master_address_refuses_what_is_not_host_and_port(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        master_address(text)
