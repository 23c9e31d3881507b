"""Counting 5xx for the soak: in the server's log as the load config writes it, and in locust's."""

from __future__ import annotations

import csv
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bench.load import checks
from bench.load.service import LOAD_CONFIG
from bench.soak.errors import locust_5xx, server_5xx
from taskservice.utils.logutils import log_event, log_response


@pytest.fixture
def load_logger(tmp_path: Path) -> Iterator[tuple[logging.Logger, Path]]:
    """A logger writing as the load config's console does (which the harness saves as
    server.log): its format, its level."""
    config = yaml.safe_load(LOAD_CONFIG.read_text())["logging"]
    console = config["handlers"]["console"]
    path = tmp_path / "server.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(config["formatters"][console["formatter"]]["format"]))
    handler.setLevel(console["level"])
    logger = logging.getLogger("taskservice.soak-test")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield logger, path
    logger.removeHandler(handler)
    handler.close()


def test_server_log_counts_each_5xx_response_with_its_time(
    load_logger: tuple[logging.Logger, Path],
) -> None:
    logger, path = load_logger
    context = {"req_id": "r1", "method": "POST", "uri": "/tasks"}
    before = time.time()
    log_response(logger, context, 503, 5001.0, error="the task store is unavailable")
    log_response(logger, context, 500, 3.0, error="boom", trace="Traceback\n  line")
    after = time.time()
    log_response(logger, context, 404, 1.0, error="not found")
    log_response(logger, context, 201, 1.0)
    # Error lines that are not responses: one with a status field, one whose value spells both.
    log_event(logger, logging.ERROR, "STORE", status=500)
    log_event(logger, logging.ERROR, "STORE", detail="x message=RESPONSE status=503")
    times = server_5xx(path)
    assert len(times) == 2
    # The log keeps milliseconds of local time; allow for the truncation.
    assert all(before - 0.002 <= t <= after + 0.002 for t in times)


def test_a_missing_server_log_holds_no_5xx(tmp_path: Path) -> None:
    assert server_5xx(tmp_path / "server.log") == []


def _failure_row(writer: csv.DictWriter[str], message: str | None, occurrences: int) -> None:
    assert message is not None
    row = {"Method": "GET", "Name": "/tasks", "Occurrences": str(occurrences)}
    row |= {"Error": f"CatchResponseError({message!r})", "First Seen": "", "Last Seen": ""}
    writer.writerow(row)


def test_locust_failures_count_only_those_answered_with_a_5xx(tmp_path: Path) -> None:
    path = tmp_path / "locust_failures.csv"
    many = json.dumps({f"{n:032x}": {} for n in range(512)}).encode()
    with path.open("w", newline="") as f:
        columns = ["Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"]
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        # The messages bench/load/checks.py gives, so the two stay in step.
        _failure_row(writer, checks.no_content(503, b""), 3)
        _failure_row(writer, checks.created(500, None, b"")[0], 2)
        _failure_row(writer, checks.rejected(502, b""), 1)
        _failure_row(writer, checks.task_body(404, b"", {}), 7)
        _failure_row(writer, checks.listing(200, many, {}, at_least=1000), 5)  # "got 512" tasks
        _failure_row(writer, checks.problem_or_no_response(0, "reset", None), 4)
    assert locust_5xx(path) == 3 + 2 + 1


def test_no_failures_file_means_no_5xx(tmp_path: Path) -> None:
    assert locust_5xx(tmp_path / "locust_failures.csv") == 0
