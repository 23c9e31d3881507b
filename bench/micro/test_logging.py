"""The canonical log line: logfmt rendering against a naive f-string, and the whole logging path."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from taskservice.utils.logutils import log_event, log_response, logfmt

TASK_URI = "/tasks/019ac8a1e3f2c0d54e1b7a9f3c2d8e61"
CONTEXT = {"req_id": "019ac8a1e3f1a7c9b2d04e6f8a1b3c5d", "method": "PUT", "uri": TASK_URI}
# One RESPONSE event: plain values, and values a hostile client chose that must be quoted and
# escaped to stay on one line.
EVENTS = {
    "plain": [*CONTEXT.items(), ("ip", "127.0.0.1"), ("message", "RESPONSE"), ("status", 204),
              ("time_ms", 0.412)],
    "escaped": [("req_id", 'abc"def'), ("method", "PUT"), ("uri", '/tasks/a b?q="x"\n\u2028'),
                ("ip", "127.0.0.1"), ("message", "RESPONSE"), ("status", 400), ("time_ms", 0.412),
                ("error", 'body: field "title" must be a string, got 12\tand\r\x1b[31m')],
}  # fmt: skip


def naive_line(pairs: list[tuple[str, object]]) -> str:
    """What a log line costs with no quoting or escaping at all: the baseline, not a safe format."""
    return " ".join(f"{key}={value}" for key, value in pairs)


@pytest.mark.parametrize("values", list(EVENTS))
def test_logfmt_render(benchmark: BenchmarkFixture, values: str) -> None:
    benchmark.group = f"logfmt vs f-string [{values}]"
    line = benchmark(logfmt, EVENTS[values])
    assert "\n" not in line
    assert line.count("=") >= len(EVENTS[values])


@pytest.mark.parametrize("values", list(EVENTS))
def test_naive_fstring(benchmark: BenchmarkFixture, values: str) -> None:
    benchmark.group = f"logfmt vs f-string [{values}]"
    benchmark.extra_info["baseline"] = True
    line = benchmark(naive_line, EVENTS[values])
    assert line.startswith("req_id=")


@pytest.fixture(params=["enabled", "disabled"])
def request_logger(request: pytest.FixtureRequest, local_logging: Path) -> Iterator[logging.Logger]:
    """The service's logger as the tutorial's config sets it up; 'disabled' raises it to WARNING."""
    logger = logging.getLogger("taskservice")
    level = logger.level
    if request.param == "disabled":
        logger.setLevel(logging.WARNING)
    yield logger
    logger.setLevel(level)


@pytest.mark.benchmark(group="logging path")
def test_log_request(
    benchmark: BenchmarkFixture, request_logger: logging.Logger, local_logging: Path
) -> None:
    """What one request logs: the DEBUG REQUEST line and the canonical RESPONSE line."""

    def one_request() -> None:
        log_event(request_logger, logging.DEBUG, "REQUEST", CONTEXT)
        log_response(request_logger, CONTEXT, 204, 0.412)

    before = _identity(local_logging)
    benchmark(one_request)
    for handler in request_logger.handlers:
        handler.flush()
    # Written to means grown, or rotated to a new file (a new inode) along the way.
    assert (_identity(local_logging) != before) == request_logger.isEnabledFor(logging.INFO)


def _identity(path: Path) -> tuple[int, int]:
    """The file's inode and size; (0, 0) while it does not exist."""
    if not path.exists():
        return 0, 0
    stat = path.stat()
    return stat.st_ino, stat.st_size
