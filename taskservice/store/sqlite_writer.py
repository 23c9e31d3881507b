"""Group commit: one thread owns the write connection and commits queued writes together."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, Final, NamedTuple, TypeVar

from taskservice.errors import StoreError

T = TypeVar("T")
# Enough to absorb every write a few hundred clients have in flight, few enough that the last
# write of a batch does not wait long behind the others before its commit.
MAX_BATCH: Final = 128


class _Op(NamedTuple):
    context: contextvars.Context
    fn: Callable[[sqlite3.Connection], object]
    future: asyncio.Future[Any]


class _Outcome(NamedTuple):
    future: asyncio.Future[Any]
    error: BaseException | None
    result: object


def _resolve(outcomes: list[_Outcome]) -> None:
    """On the loop: hand each write its outcome, unless its caller has stopped waiting."""
    for future, error, result in outcomes:
        if future.done():  # cancelled: the request was cut off
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


class SqliteWriter:
    """Runs writes on its own thread, each in a SAVEPOINT, a batch at a time in one transaction.

    A batch is every write queued when the thread wakes (at most `max_batch`): one BEGIN
    IMMEDIATE, one COMMIT and so one fsync for all of them. A write that fails rolls back to its
    own savepoint and fails alone; a failed BEGIN or COMMIT fails every write of the batch. No
    future resolves before its COMMIT returned, so a resolved write is on disk.
    """

    def __init__(self, conn: sqlite3.Connection, name: str, max_batch: int = MAX_BATCH) -> None:
        self._conn = conn
        self._name = name
        self._max_batch = max_batch
        self._loop = asyncio.get_running_loop()
        self._queue: queue.SimpleQueue[_Op | None] = queue.SimpleQueue()
        self._stopped: asyncio.Future[None] = self._loop.create_future()
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name="sqlite-writer", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue a write, to run in the caller's context; its future resolves once committed."""
        if self._stopping:
            raise StoreError(f"{self._name} is closed")
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.put(_Op(contextvars.copy_context(), fn, future))
        return future

    async def stop(self) -> None:
        """Commit every write queued so far, then close the connection and end the thread."""
        if not self._stopping:
            self._stopping = True
            self._queue.put(None)  # after every write submitted before it
        # Awaited, not joined: the last batch may wait for a lock for seconds.
        await asyncio.shield(self._stopped)

    def _serve(self) -> None:
        try:
            stop = False
            while not stop:
                batch: list[_Op] = []
                op = self._queue.get()
                while op is not None:
                    batch.append(op)
                    if len(batch) >= self._max_batch:
                        break
                    try:
                        op = self._queue.get_nowait()
                    except queue.Empty:
                        break
                stop = op is None
                if batch:
                    self._call_loop(_resolve, self._run_safely(batch))
        finally:
            self._conn.close()
            self._call_loop(self._stopped.set_result, None)

    def _run_safely(self, batch: list[_Op]) -> list[_Outcome]:
        try:
            return self._run_batch(batch)
        except Exception as e:
            # Not SQLite's refusal, which _run_batch answers, but a bug: answer these writes with
            # a 503 rather than leave them, and every write after them, waiting forever.
            self._abandon()
            return [self._failed(op, "writer failed", e) for op in batch]

    def _call_loop(self, fn: Callable[[T], object], arg: T) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            self._loop.call_soon_threadsafe(fn, arg)

    def _run_batch(self, batch: list[_Op]) -> list[_Outcome]:
        conn = self._conn
        outcomes: list[_Outcome] = []
        applied: list[_Outcome] = []  # done inside the open transaction, not yet committed
        in_transaction = False
        for index, op in enumerate(batch):
            if not in_transaction:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as e:
                    # Locked (past busy_timeout) or broken: the rest would only wait again.
                    outcomes.extend(self._failed(rest, "cannot begin", e) for rest in batch[index:])
                    return outcomes
                in_transaction = True
            try:
                conn.execute("SAVEPOINT op")
                result = op.context.run(op.fn, conn)
                conn.execute("RELEASE op")
            except Exception as e:
                outcomes.append(_Outcome(op.future, e, None))
                if not self._undo_op():
                    # SQLite rolled back the whole transaction (a full disk, an I/O error), so
                    # the writes before this one are gone too.
                    outcomes.extend(self._failed(done, "rolled back", e) for done in applied)
                    applied.clear()
                    in_transaction = False
                continue
            applied.append(_Outcome(op.future, None, result))
        if in_transaction:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as e:
                self._abandon()
                outcomes.extend(self._failed(done, "cannot commit", e) for done in applied)
                return outcomes
        outcomes.extend(applied)
        return outcomes

    def _failed(self, op: _Op | _Outcome, what: str, error: Exception) -> _Outcome:
        # A fresh exception per write: one shared instance would collect every awaiter's frames.
        failure = StoreError(f"{self._name}: {what}: {error}")
        failure.__cause__ = error
        return _Outcome(op.future, failure, None)

    def _undo_op(self) -> bool:
        """Roll back the failed write's savepoint; False if the whole transaction is gone."""
        if not self._conn.in_transaction:
            return False
        try:
            self._conn.execute("ROLLBACK TO op")
            self._conn.execute("RELEASE op")
        except sqlite3.Error:
            self._abandon()
            return False
        return True

    def _abandon(self) -> None:
        if self._conn.in_transaction:  # some errors have rolled it back already
            # Should even that fail, there is nothing more to undo; the next BEGIN reports it.
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
