"""Group commit: writes queued together share one transaction and one fsync, off the loop."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Final, NamedTuple, TypeVar

from taskservice.errors import StoreError

T = TypeVar("T")
# Enough to absorb every write a few hundred clients have in flight, few enough that the last
# write of a batch does not wait long behind the others before its commit.
MAX_BATCH: Final = 128
BUSY_TIMEOUT_MS: Final = 5000
"""How long a batch waits for another process's write lock before its writes fail."""
_BUSY: Final = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


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
    """Owns the write connection: a batch at a time, each write in a SAVEPOINT, one COMMIT.

    A batch is every write queued while the previous batch committed (at most `max_batch`): one
    BEGIN IMMEDIATE, one COMMIT and so one fsync for all of them. The statements run on the event
    loop, since they only change pages in memory (microseconds), and the COMMIT, which waits for
    the disk, runs on the writer thread; so a batch costs the loop two thread hand-offs, not one
    per statement. When another process holds the write lock, the whole batch goes to the thread,
    which waits up to `busy_timeout_ms` for it. A write that fails rolls back to its own savepoint
    and fails alone; a failed BEGIN or COMMIT fails every write of the batch. No future resolves
    before its COMMIT returned, so a resolved write is on disk.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        name: str,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._conn = conn
        self._name = name
        self._max_batch = max_batch
        self.busy_timeout_ms = busy_timeout_ms
        # The loop never waits for a lock: a busy database sends the batch to the thread.
        conn.execute("PRAGMA busy_timeout=0")
        self._loop = asyncio.get_running_loop()
        self._pending: deque[_Op] = deque()
        self._busy = False  # a batch is running; the connection is its own until it ends
        self._stopping = False
        self._stopped: asyncio.Future[None] = self._loop.create_future()
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="sqlite-writer", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue a write, to run in the caller's context; its future resolves once committed."""
        if self._stopping:
            raise StoreError(f"{self._name} is closed")
        future: asyncio.Future[T] = self._loop.create_future()
        self._pending.append(_Op(contextvars.copy_context(), fn, future))
        if not self._busy:
            self._busy = True
            # On the next turn of the loop, so that writes submitted in this one share the batch.
            self._loop.call_soon(self._next_batch)
        return future

    async def stop(self) -> None:
        """Commit every write queued so far, then close the connection and end the thread."""
        if not self._stopping:
            self._stopping = True
            if not self._busy:
                self._close()
        # Awaited, not joined: the last batch may wait for a lock for seconds.
        await asyncio.shield(self._stopped)

    def _serve(self) -> None:
        for job in iter(self._jobs.get, None):
            job()

    def _on_thread(self, work: Callable[[], list[_Outcome]]) -> None:
        """Run `work` on the writer thread, then finish its batch on the loop."""

        def job() -> None:
            outcomes = work()
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                self._loop.call_soon_threadsafe(self._finish, outcomes)

        self._jobs.put(job)

    def _next_batch(self) -> None:
        if not self._pending:
            self._busy = False
            if self._stopping:
                self._close()
            return
        count = min(len(self._pending), self._max_batch)
        batch = [self._pending.popleft() for _ in range(count)]
        try:
            if self._begin(batch):
                outcomes, applied = self._apply(batch)
                if self._conn.in_transaction:
                    self._on_thread(lambda: self._guarded(batch, self._commit, outcomes, applied))
                else:
                    self._finish(outcomes + applied)
        except Exception as e:
            self._finish(self._bug(batch, e))

    def _begin(self, batch: list[_Op]) -> bool:
        """BEGIN on the loop; False if the batch is answered, or handed to the thread, instead."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            if getattr(e, "sqlite_errorcode", 0) & 0xFF in _BUSY:
                self._on_thread(lambda: self._guarded(batch, self._run_waiting, batch))
            else:
                self._finish([self._failed(op, "cannot begin", e) for op in batch])
            return False
        return True

    def _finish(self, outcomes: list[_Outcome]) -> None:
        """On the loop: resolve a batch's writes and start the next batch."""
        _resolve(outcomes)
        self._next_batch()

    def _run_waiting(self, batch: list[_Op]) -> list[_Outcome]:
        """On the thread: the whole batch, waiting for the write lock as long as allowed."""
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            return [self._failed(op, "cannot begin", e) for op in batch]
        finally:
            conn.execute("PRAGMA busy_timeout=0")
        outcomes, applied = self._apply(batch)
        return self._commit(outcomes, applied)

    def _apply(self, batch: list[_Op]) -> tuple[list[_Outcome], list[_Outcome]]:
        """Run each write in its savepoint: (failed writes, writes applied but not committed)."""
        conn = self._conn
        outcomes: list[_Outcome] = []
        applied: list[_Outcome] = []
        for index, op in enumerate(batch):
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
                    if not self._restart(batch[index + 1 :], outcomes):
                        break
                continue
            applied.append(_Outcome(op.future, None, result))
        return outcomes, applied

    def _restart(self, rest: list[_Op], outcomes: list[_Outcome]) -> bool:
        """After a lost transaction, begin a new one for the writes that follow."""
        if not rest:
            return True
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            outcomes.extend(self._failed(op, "cannot begin", e) for op in rest)
            return False
        return True

    def _commit(self, outcomes: list[_Outcome], applied: list[_Outcome]) -> list[_Outcome]:
        """On the thread: COMMIT (the fsync); if it fails, every applied write fails."""
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as e:
            self._abandon()
            return outcomes + [self._failed(done, "cannot commit", e) for done in applied]
        return outcomes + applied

    def _guarded(
        self, batch: list[_Op], work: Callable[..., list[_Outcome]], *args: Any
    ) -> list[_Outcome]:
        try:
            return work(*args)
        except Exception as e:
            return self._bug(batch, e)

    def _bug(self, batch: list[_Op], error: Exception) -> list[_Outcome]:
        # Not SQLite's refusal, which the steps above answer, but a bug: answer these writes with
        # a 503 rather than leave them, and every write after them, waiting forever.
        self._abandon()
        return [self._failed(op, "writer failed", error) for op in batch]

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

    def _close(self) -> None:
        def close() -> None:
            self._conn.close()
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stopped.set_result, None)

        self._jobs.put(close)
        self._jobs.put(None)
