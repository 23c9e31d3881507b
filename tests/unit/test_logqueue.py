"""The log queue: same lines, same order, written on the listener thread, flushed at shutdown."""

from __future__ import annotations

import io
import logging
import threading
import time
import weakref
from collections.abc import Iterator

import pytest

from taskservice.utils import logqueue
from tests.support.logs import ListHandler

FORMAT = "%(name)s %(levelname)s %(message)s"


def _stream_handler(
    level: int = logging.DEBUG,
) -> tuple[logging.StreamHandler[io.StringIO], io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler, stream


@pytest.fixture
def loggers() -> Iterator[tuple[logging.Logger, logging.Logger]]:
    """Two loggers, a parent and its child, restored afterwards."""
    parent, child = logging.getLogger("lq"), logging.getLogger("lq.child")
    yield parent, child
    for logger in (parent, child):
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True


def _queued(
    parent: logging.Logger, names: tuple[str, ...] = ("lq",)
) -> tuple[logging.Handler, io.StringIO, logqueue.LogListener]:
    """`parent` logging INFO to a stream handler, moved behind the queue with the named loggers."""
    handler, stream = _stream_handler()
    parent.addHandler(handler)
    parent.setLevel(logging.INFO)
    return handler, stream, logqueue.install(list(names))


def _log_everything(parent: logging.Logger, child: logging.Logger) -> None:
    parent.info("one")
    child.debug("two %s", "args")
    child.warning("three")
    try:
        int("four")
    except ValueError:
        parent.exception("four %d", 4)
    parent.info("five")


def _configure(parent: logging.Logger, child: logging.Logger) -> tuple[io.StringIO, io.StringIO]:
    shared, shared_stream = _stream_handler(logging.INFO)
    own, own_stream = _stream_handler()
    parent.setLevel(logging.DEBUG)
    parent.addHandler(shared)
    child.addHandler(own)
    child.addHandler(shared)  # the same handler on both, as a console usually is
    return shared_stream, own_stream


def test_queued_lines_are_the_direct_lines_in_the_same_order(
    loggers: tuple[logging.Logger, logging.Logger],
) -> None:
    parent, child = loggers
    direct = _configure(parent, child)
    _log_everything(parent, child)
    for logger in loggers:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
    queued = _configure(parent, child)
    listener = logqueue.install(["lq", "lq.child"])
    _log_everything(parent, child)
    listener.stop()
    assert [s.getvalue() for s in queued] == [s.getvalue() for s in direct]
    assert "ValueError: invalid literal" in queued[0].getvalue()
    assert "two args" not in queued[0].getvalue()  # the shared handler is at INFO


def test_args_are_rendered_when_logged_not_when_written(
    loggers: tuple[logging.Logger, logging.Logger],
) -> None:
    parent, _ = loggers
    _handler, stream, listener = _queued(parent)
    changing = ["before"]
    parent.info("value %s", changing)
    changing[0] = "after"
    listener.stop()
    assert stream.getvalue() == "lq INFO value ['before']\n"


def test_a_plain_message_crosses_without_a_copy() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "req_id=r message=RESPONSE", (), None
    )
    assert logqueue.prepare(record) is record


def test_records_are_written_on_the_listener_thread(
    loggers: tuple[logging.Logger, logging.Logger],
) -> None:
    parent, _ = loggers
    seen = ListHandler()
    parent.addHandler(seen)
    parent.setLevel(logging.INFO)
    listener = logqueue.install(["lq"])
    parent.info("hello")
    listener.stop()
    (record,) = seen.records
    assert record.getMessage() == "hello"
    assert record.threadName == "MainThread"  # where it was logged
    assert parent.handlers[0].__class__ is logqueue.QueueRoute


class _Exploding(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        raise RuntimeError("disk on fire")

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802
        self.failed = record.getMessage()


class _RaisingHandle(logging.Handler):
    def handle(self, record: logging.LogRecord) -> bool:  # not even emit's own guard applies
        raise RuntimeError("filter on fire")

    def emit(self, record: logging.LogRecord) -> None:
        raise AssertionError("unreachable")

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802
        pass


def test_a_handler_that_raises_does_not_stop_the_listener(
    loggers: tuple[logging.Logger, logging.Logger],
) -> None:
    parent, _ = loggers
    survivor, stream = _stream_handler()
    for handler in (_RaisingHandle(), _Exploding(), survivor):
        parent.addHandler(handler)
    parent.setLevel(logging.INFO)
    listener = logqueue.install(["lq"])
    parent.info("first")
    parent.info("second")
    listener.stop()
    assert stream.getvalue() == "lq INFO first\nlq INFO second\n"


def test_logging_shutdown_writes_what_is_still_queued(
    loggers: tuple[logging.Logger, logging.Logger],
) -> None:
    parent, _ = loggers
    handler, stream, _ = _queued(parent)
    for n in range(1000):
        parent.info("line %d", n)
    # As logging.shutdown() at exit: the newest handler (the queue's) is closed first.
    logging.shutdown([weakref.ref(handler), weakref.ref(parent.handlers[0])])
    assert stream.getvalue().splitlines() == [f"lq INFO line {n}" for n in range(1000)]


def test_records_logged_after_stop_are_written_inline(
    loggers: tuple[logging.Logger, logging.Logger],
) -> None:
    parent, _ = loggers
    _handler, stream, listener = _queued(parent)
    listener.stop()
    listener.stop()  # idempotent
    parent.info("late")
    assert stream.getvalue() == "lq INFO late\n"


def test_loggers_without_handlers_are_left_alone(
    loggers: tuple[logging.Logger, logging.Logger],
) -> None:
    parent, child = loggers
    _handler, stream, listener = _queued(parent, ("lq", "lq.child"))
    child.info("via the parent")
    listener.stop()
    assert child.handlers == []
    assert stream.getvalue() == "lq.child INFO via the parent\n"


def test_dispatch_honours_handler_levels() -> None:
    low, high = ListHandler(), ListHandler()
    high.setLevel(logging.ERROR)
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "w", (), None)
    logqueue.dispatch((low, high), record)
    assert (low.records, high.records) == ([record], [])


def test_a_record_queued_while_the_listener_stops_is_still_written(
    loggers: tuple[logging.Logger, logging.Logger],
) -> None:
    # Another thread is in the middle of queueing a record when stop() runs (a library warning
    # during shutdown): the record must reach the handler, not stay in the queue.
    parent, _ = loggers
    _handler, stream, listener = _queued(parent)
    queueing = threading.Event()
    real = listener.items

    class SlowToQueue:
        def put_nowait(self, item: logqueue.Item) -> None:
            record = None if item is None or isinstance(item, logqueue.Lines) else item[1]
            if record is not None and record.getMessage() == "late":
                queueing.set()
                time.sleep(0.2)  # widen the window between deciding to queue and queueing
            real.put_nowait(item)

        def get_nowait(self) -> logqueue.Item:
            return real.get_nowait()

    listener.items = SlowToQueue()  # type: ignore[assignment]
    parent.info("early")
    writer = threading.Thread(target=parent.info, args=("late",))
    writer.start()
    assert queueing.wait(5)
    listener.stop()
    writer.join(5)
    assert stream.getvalue().splitlines() == ["lq INFO early", "lq INFO late"]
