"""The canonical log line: logfmt against a naive f-string, and the logging path per config."""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from taskservice.config import Config, configure_logging, load
from taskservice.utils.logqueue import QueueRoute
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


REPO = Path(__file__).resolve().parents[2]
# Each row: the shipped config it loads, whether the log queue is on, whether INFO is enabled.
SETUPS = {
    "local": ("local", False, True),
    "local-disabled": ("local", False, False),
    "local-queue": ("local", True, True),
    "prod": ("prod", False, True),
    "prod-queue": ("prod", True, True),
}


@pytest.fixture(params=list(SETUPS))
def request_logger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[logging.Logger, Path]]:
    """The service's logger as a shipped config sets it up, its file in a scratch folder.

    The handlers are the real ones, so the benchmarks pay for formatting and writing as the service
    does; with the queue, only what the event loop's thread pays (the listener writes in parallel).
    'disabled' raises the logger to WARNING.
    """
    name, queued, enabled = SETUPS[request.param]
    config = load(REPO / "configs" / f"todoList-{name}.yaml")
    settings = copy.deepcopy(config.logging)
    settings.pop("root", None)  # leave pytest's own handlers on the root logger alone
    log_file = tmp_path_factory.mktemp("logs") / "app.log"
    with open(os.devnull, "w") as devnull:
        settings["handlers"]["file"]["filename"] = str(log_file)
        if "console" in settings["handlers"]:
            settings["handlers"]["console"]["stream"] = devnull
        configure_logging(replace(config, logging=settings, log_queue=queued))
        logger = logging.getLogger("taskservice")
        if not enabled:
            logger.setLevel(logging.WARNING)
        yield logger, log_file
        configure_logging(Config(logging={"version": 1, "disable_existing_loggers": False}))


@pytest.mark.benchmark(group="logging path")
def test_log_request(
    benchmark: BenchmarkFixture, request_logger: tuple[logging.Logger, Path]
) -> None:
    """What one request logs: the DEBUG REQUEST line and the canonical RESPONSE line."""
    logger, log_file = request_logger

    def one_request() -> None:
        log_event(logger, logging.DEBUG, "REQUEST", CONTEXT)
        log_response(logger, CONTEXT, 204, 0.412)

    before = _identity(log_file)
    benchmark(one_request)
    for handler in logger.handlers:
        handler.close() if isinstance(handler, QueueRoute) else handler.flush()
    # Written to means grown, or rotated to a new file (a new inode) along the way.
    assert (_identity(log_file) != before) == logger.isEnabledFor(logging.INFO)


def _identity(path: Path) -> tuple[int, int]:
    """The file's inode and size; (0, 0) while it does not exist."""
    if not path.exists():
        return 0, 0
    stat = path.stat()
    return stat.st_ino, stat.st_size
