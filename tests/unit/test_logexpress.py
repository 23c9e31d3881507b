"""Express lines: exactly the text the logging path writes, in order, or the logging path itself."""

from __future__ import annotations

import gc
import logging
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from taskservice.utils import logexpress, logqueue
from taskservice.utils.logfile import RotatingFile
from taskservice.utils.logutils import log_event

PROD = "%(asctime)s %(name)s %(levelname)s : %(message)s"
DETAILED = (
    'time="%(asctime)s" logger=%(name)s level=%(levelname)s file=%(filename)s'
    " lineno=%(lineno)d function=%(funcName)s %(message)s"
)
EVERY_FIELD = (
    "%(created)f %(msecs)03d %(levelno)d %(levelname)-8s|%(pathname)s|%(module)s|%(message)s"
)


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    """A logger of its own, emptied and restored afterwards."""
    logger = logging.getLogger("express")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    for log_filter in list(logger.filters):
        logger.removeFilter(log_filter)
    logger.setLevel(logging.NOTSET)
    logger.propagate = True


def file_handler(path: Path, fmt: str | None = PROD, **kwargs: object) -> RotatingFile:
    handler = RotatingFile(str(path), encoding="utf-8", **kwargs)
    if fmt is not None:
        handler.setFormatter(logging.Formatter(fmt))
    return handler


def queued(logger: logging.Logger, *handlers: logging.Handler) -> logqueue.LogListener:
    """`logger` writing to `handlers` only (not to the test run's capture), behind the queue."""
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    for handler in handlers:
        logger.addHandler(handler)
    return logqueue.install([logger.name])


def log_both_ways(
    logger: logging.Logger, monkeypatch: pytest.MonkeyPatch, message: str = "HELLO"
) -> None:
    """The same line from the same source line, once express and once through a LogRecord."""
    express = logexpress.emit
    for use_express in (True, False):
        monkeypatch.setattr(logexpress, "emit", express if use_express else lambda *a: False)
        log_event(logger, logging.INFO, message, {"req_id": "r1"})
    monkeypatch.setattr(logexpress, "emit", express)


@pytest.mark.parametrize("fmt", [PROD, DETAILED, EVERY_FIELD, None])
def test_an_express_line_is_the_text_the_formatter_writes(
    logger: logging.Logger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str | None
) -> None:
    monkeypatch.setattr(time, "time", lambda: 1_764_000_000.25)  # the same instant for both
    calls = []
    real = logexpress.values

    def counted(*args: Any) -> dict[str, object]:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(logexpress, "values", counted)
    listener = queued(logger, file_handler(tmp_path / "a.log", fmt))
    log_both_ways(logger, monkeypatch)
    listener.stop()
    express, ordinary = (tmp_path / "a.log").read_text().splitlines()
    assert calls == [1]  # the first line did go the express way
    assert express == ordinary
    assert "req_id=r1 message=HELLO" in express


@pytest.mark.parametrize(
    "formatter",
    [
        logging.Formatter(PROD, datefmt="%H:%M"),
        logging.Formatter("%(process)d %(message)s"),
        logging.Formatter("{asctime} {message}", style="{"),
        type("Custom", (logging.Formatter,), {})(PROD),
    ],
    ids=["datefmt", "unknown field", "brace style", "subclass"],
)
def test_a_formatter_express_cannot_copy_gets_the_record_path(
    logger: logging.Logger,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    formatter: logging.Formatter,
) -> None:
    records: list[logging.LogRecord] = []
    real_format = formatter.format

    def format_and_keep(record: logging.LogRecord) -> str:
        records.append(record)
        return real_format(record)

    monkeypatch.setattr(formatter, "format", format_and_keep)
    handler = file_handler(tmp_path / "a.log", None)
    handler.setFormatter(formatter)
    listener = queued(logger, handler)
    log_event(logger, logging.INFO, "HELLO")
    listener.stop()
    assert [r.getMessage() for r in records] == ["message=HELLO"]
    assert (tmp_path / "a.log").read_text().endswith("message=HELLO\n")


def test_a_filter_on_the_handler_or_the_logger_still_sees_every_record(
    logger: logging.Logger, tmp_path: Path
) -> None:
    seen: list[str] = []

    def spy(where: str) -> Callable[[logging.LogRecord], bool]:
        def check(record: logging.LogRecord) -> bool:
            seen.append(f"{where} {record.getMessage()}")
            return "drop" not in record.getMessage()

        return check

    handler = file_handler(tmp_path / "a.log")
    handler.addFilter(spy("handler"))
    listener = queued(logger, handler)
    logger.addFilter(spy("logger"))
    log_event(logger, logging.INFO, "kept")
    log_event(logger, logging.INFO, "drop")
    listener.stop()
    # Handler filters run on the listener thread, so only the set is certain.
    assert sorted(seen) == ["handler message=kept", "logger message=drop", "logger message=kept"]
    assert (tmp_path / "a.log").read_text().count("\n") == 1


def test_express_lines_keep_their_order_among_ordinary_records(
    logger: logging.Logger, tmp_path: Path
) -> None:
    listener = queued(logger, file_handler(tmp_path / "a.log"))
    for n in range(50):
        log_event(logger, logging.INFO, f"express{n}")
        logger.info("ordinary%d", n)
    listener.stop()
    lines = (tmp_path / "a.log").read_text().splitlines()
    expected = [word for n in range(50) for word in (f"message=express{n}", f"ordinary{n}")]
    assert [line.rsplit(" : ", 1)[1] for line in lines] == expected


def test_each_handler_gets_the_lines_its_level_lets_through_in_its_own_format(
    logger: logging.Logger, tmp_path: Path
) -> None:
    detailed = file_handler(tmp_path / "debug.log", DETAILED)
    brief = file_handler(tmp_path / "info.log")
    brief.setLevel(logging.INFO)
    listener = queued(logger, detailed, brief)
    log_event(logger, logging.DEBUG, "REQUEST")
    log_event(logger, logging.INFO, "RESPONSE")
    listener.stop()
    debug_lines = (tmp_path / "debug.log").read_text().splitlines()
    info_lines = (tmp_path / "info.log").read_text().splitlines()
    assert [line.split()[-1] for line in debug_lines] == ["message=REQUEST", "message=RESPONSE"]
    assert all("function=test_each_handler" in line for line in debug_lines)
    assert [line.split(" : ")[1] for line in info_lines] == ["message=RESPONSE"]


def test_a_child_logger_reaches_its_parents_queued_handlers(
    logger: logging.Logger, tmp_path: Path
) -> None:
    listener = queued(logger, file_handler(tmp_path / "a.log"))
    log_event(logging.getLogger("express.child"), logging.INFO, "from-child")
    listener.stop()
    assert " express.child INFO : message=from-child" in (tmp_path / "a.log").read_text()


def test_express_lines_rotate_the_file_at_max_bytes(logger: logging.Logger, tmp_path: Path) -> None:
    listener = queued(logger, file_handler(tmp_path / "a.log", maxBytes=400, backupCount=2))
    for n in range(20):
        log_event(logger, logging.INFO, f"line{n:02d}")
    listener.stop()
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["a.log", "a.log.1", "a.log.2"]
    assert all(0 < f.stat().st_size <= 400 for f in files)
    assert (tmp_path / "a.log").read_text().rstrip().endswith("message=line19")


def test_lines_logged_after_the_listener_stopped_are_written_at_once(
    logger: logging.Logger, tmp_path: Path
) -> None:
    listener = queued(logger, file_handler(tmp_path / "a.log"))
    listener.stop()
    log_event(logger, logging.INFO, "late")
    assert (tmp_path / "a.log").read_text().endswith("message=late\n")


def test_without_the_log_queue_lines_take_the_record_path(
    logger: logging.Logger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    monkeypatch.setattr(logexpress, "values", lambda *a: calls.append(a))
    logger.addHandler(file_handler(tmp_path / "a.log"))
    log_event(logger, logging.INFO, "direct")
    assert calls == []
    assert (tmp_path / "a.log").read_text().endswith("INFO : message=direct\n")


def test_a_rotating_file_subclass_gets_records_so_its_own_emit_runs(
    logger: logging.Logger, tmp_path: Path
) -> None:
    class Redacting(RotatingFile):
        def emit(self, record: logging.LogRecord) -> None:
            record.msg = str(record.msg).replace("secret", "***")
            super().emit(record)

    handler = Redacting(str(tmp_path / "a.log"), encoding="utf-8")
    handler.setFormatter(logging.Formatter(PROD))
    listener = queued(logger, handler)
    log_event(logger, logging.INFO, "token=secret")
    listener.stop()
    assert (tmp_path / "a.log").read_text().endswith('message="token=***"\n')


def test_a_formatter_changed_after_the_first_line_changes_the_next_lines(
    logger: logging.Logger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = file_handler(tmp_path / "a.log")
    queued(logger, handler).stop()  # from here on every line is written as it is logged
    express = []
    real = logexpress.values

    def counted(*args: Any) -> dict[str, object]:
        express.append(args[2])
        return real(*args)

    monkeypatch.setattr(logexpress, "values", counted)
    log_event(logger, logging.INFO, "first")
    assert handler.formatter is not None
    handler.formatter.datefmt = "%H:%M"
    log_event(logger, logging.INFO, "second")
    handler.formatter.datefmt = None
    monkeypatch.setattr(logging.Formatter, "converter", time.gmtime)  # the documented UTC idiom
    monkeypatch.setattr(time, "time", lambda: 1_764_000_000.25)
    log_event(logger, logging.INFO, "third")
    first, second, third = (tmp_path / "a.log").read_text().splitlines()
    assert express == ["message=first"]
    assert first.split(" ")[1].count(":") == 2  # HH:MM:SS,mmm
    assert second.split(" ")[0].count(":") == 1
    assert second.endswith("message=second")
    assert third.startswith("2025-11-24 16:00:00,250 express INFO : message=third")


def test_a_route_that_logging_dropped_is_not_kept_alive_by_its_cached_plan(
    logger: logging.Logger, tmp_path: Path
) -> None:
    listener = queued(logger, file_handler(tmp_path / "a.log"))
    log_event(logger, logging.INFO, "cached")
    listener.stop()
    (dropped,) = logger.handlers
    logger.removeHandler(dropped)
    dropped.close()
    route = weakref.ref(dropped)
    del dropped
    gc.collect()
    assert route() is None


def test_a_new_default_time_format_applies_within_the_same_second(
    logger: logging.Logger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = file_handler(tmp_path / "a.log")
    queued(logger, handler).stop()  # from here on every line is written as it is logged
    monkeypatch.setattr(time, "time", lambda: 1_764_000_000.25)
    log_event(logger, logging.INFO, "first")
    assert handler.formatter is not None
    handler.formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"
    log_event(logger, logging.INFO, "second")
    first, second = (tmp_path / "a.log").read_text().splitlines()
    assert first[10] == " "
    assert second[10] == "T"
