"""One queue and one listener thread behind every configured logger's handlers."""

from __future__ import annotations

import copy
import logging
import logging.handlers
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import Final, NamedTuple

from taskservice.utils.logfile import RotatingFile

Targets = tuple[logging.Handler, ...]


class Lines(NamedTuple):
    """Lines rendered already (see logexpress), each with its handler and how to write it."""

    writes: tuple[tuple[logging.Handler, Callable[[str], None], str], ...]


Item = tuple[Targets, logging.LogRecord] | Lines | None  # None: the listener's stop sentinel

_BATCH: Final = 256  # records written between two flushes, at most
# After writing a batch the listener rests this long before it looks again. Without the rest it
# wakes for nearly every record under load, and each wake-up takes the GIL from the event loop;
# with it, a busy server hands over its lines in a few batches per 10 ms. Lines reach the file at
# most this much later.
LINGER_S: Final = 0.005
_EXC_FORMATTER: Final = logging.Formatter()  # renders a traceback as every stdlib Formatter does


def prepare(record: logging.LogRecord) -> logging.LogRecord:
    """The record as it can cross to the listener thread: rendered now if it holds args or a trace.

    A plain message (the service's logfmt lines) is passed as is. Otherwise a copy carries the
    rendered message and traceback text, so that the handlers write exactly what they would have
    written on this thread, however the args or the exception change afterwards.
    """
    if type(record.msg) is str and not record.args and record.exc_info is None:
        return record
    ready = copy.copy(record)
    ready.message = ready.msg = record.getMessage()
    ready.args = None
    if record.exc_info is not None:
        ready.exc_text = record.exc_text or _EXC_FORMATTER.formatException(record.exc_info)
        ready.exc_info = None
    return ready


def dispatch(targets: Targets, record: logging.LogRecord) -> None:
    """Hand a record to a logger's handlers, as Logger.callHandlers does, honouring their levels."""
    for handler in targets:
        if record.levelno >= handler.level:
            try:
                handler.handle(record)
            except Exception:  # a broken handler must not stop the listener for everyone else
                handler.handleError(record)


def write_lines(lines: Lines) -> set[logging.Handler]:
    """Write rendered lines under each handler's lock; the handlers written to."""
    for handler, write, text in lines.writes:
        handler.acquire()
        try:
            write(text)
        except Exception:
            handler.handleError(logging.makeLogRecord({"msg": text}))
        finally:
            handler.release()
    return {handler for handler, _, _ in lines.writes}


def deliver(item: tuple[Targets, logging.LogRecord] | Lines) -> Iterable[logging.Handler]:
    """Write one queued item, a record or rendered lines; the handlers it went to."""
    if isinstance(item, Lines):
        return write_lines(item)
    targets, record = item
    dispatch(targets, record)
    return targets


class LogListener(logging.handlers.QueueListener):
    """Takes the queued records in order and writes them in batches, one flush per batch."""

    def __init__(self, items: queue.SimpleQueue[Item]) -> None:
        super().__init__(items)
        self.items = items
        self.stopped = False
        self._lock = threading.Lock()

    def _monitor(self) -> None:
        # Replaces QueueListener's one-record loop: take what is queued (up to _BATCH), write it,
        # then flush each handler that wrote once.
        items = self.items
        while True:
            item = items.get()
            written: set[logging.Handler] = set()
            count = 0
            while item is not None:
                written.update(deliver(item))
                count += 1
                if count == _BATCH:
                    break
                try:
                    item = items.get_nowait()
                except queue.Empty:
                    break
            flush(written)
            if item is None:
                return
            time.sleep(LINGER_S)

    def put(self, item: tuple[Targets, logging.LogRecord] | Lines) -> bool:
        """Queue a record for the thread; False once stopping, when the caller writes it itself."""
        # One lock around the check and the put: a record queued after stop() drained the queue
        # would never be written.
        with self._lock:
            if self.stopped:
                return False
            self.items.put_nowait(item)
            return True

    def stop(self) -> None:
        """Write every queued record and end the thread; records logged later are written inline."""
        with self._lock:
            if self.stopped:
                return
            self.stopped = True  # from now on nothing is queued behind the sentinel
        if self._thread is not None:
            # Not under the lock: a handler that logs from the listener's thread must not wait
            # for it while this joins that thread.
            super().stop()
        # Anything the thread did not take before its sentinel: write it in order.
        items = self.items
        while True:
            try:
                item = items.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                flush(set(deliver(item)))


def flush(handlers: set[logging.Handler]) -> None:
    """Flush each handler; a failure is reported as a failed write is, and the rest go on."""
    for handler in handlers:
        try:
            handler.flush()
        except Exception:
            if logging.raiseExceptions:
                traceback.print_exc()  # reported as Handler.handleError reports a failed write


class QueueRoute(logging.handlers.QueueHandler):
    """Stands in for one logger's handlers: queues each record with those handlers as targets."""

    def __init__(self, listener: LogListener, targets: Sequence[logging.Handler]) -> None:
        super().__init__(listener.queue)
        self.listener = listener
        self.targets: Targets = tuple(targets)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if not self.listener.put((self.targets, prepare(record))):
                dispatch(self.targets, record)
                flush(set(self.targets))
        except Exception:
            self.handleError(record)

    def close(self) -> None:
        # logging.shutdown() closes the newest handlers first, so the queue is drained into the
        # file and console handlers before they are flushed and closed: at exit, at SIGTERM, in
        # shutdown.py's forced exit and when dictConfig replaces the configuration.
        self.listener.stop()
        super().close()


def install(names: Iterable[str]) -> LogListener:
    """Move the handlers of the named loggers ("" is the root) behind one queue and one thread."""
    items: queue.SimpleQueue[Item] = queue.SimpleQueue()
    listener = LogListener(items)
    for name in dict.fromkeys(names):
        logger = logging.getLogger(name or None)
        targets = list(logger.handlers)
        if not targets:
            continue  # nothing to move: records go on to the parent's handlers, queued there
        for handler in targets:
            logger.removeHandler(handler)
            if isinstance(handler, RotatingFile):
                handler.flush_each = False  # the listener flushes once per batch
        logger.addHandler(QueueRoute(listener, targets))
    listener.start()
    return listener
