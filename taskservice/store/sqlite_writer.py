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
from typing import Final, TypeVar

from taskservice.errors import StoreError
from taskservice.store.sqlite_batch import FAILURES, BatchSteps, Done, Op
from taskservice.store.sqlite_sql import is_busy

T = TypeVar("T")
# Enough to absorb every write a few hundred clients have in flight, few enough that the last
# write of a batch does not wait long behind the others before its commit.
MAX_BATCH: Final = 128
# A batch storing more than this runs wholly on the thread: past SQLite's page cache (2 MiB by
# default) its statements would write WAL pages to the file, which the loop must not wait for.
LOOP_BATCH_BYTES: Final = 256 * 1024
BUSY_TIMEOUT_MS: Final = 5000
"""How long a batch waits for another process's write lock before its writes fail."""


class SqliteWriter:
    """Owns the write connection: a batch at a time, each write in a SAVEPOINT, one COMMIT.

    A batch is every write queued while the previous batch committed (at most `max_batch`): one
    BEGIN IMMEDIATE, one COMMIT and so one fsync for all of them. The statements run on the event
    loop, since for a batch of ordinary size they only change pages in memory (microseconds), and
    the COMMIT, which waits for the disk, runs on the writer thread; so a batch costs the loop two
    thread hand-offs, not one per statement. A batch larger than LOOP_BATCH_BYTES, or one that
    finds another process holding the write lock, goes to the thread whole, which waits up to
    `busy_timeout_ms` for the lock. A write that fails rolls back to its own savepoint and fails
    alone; a failed BEGIN or COMMIT fails every write of the batch, and when SQLite loses the
    transaction the writes after the failing one go in the next batch. No future resolves before
    its COMMIT returned, so a resolved write is on disk.
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
        self._steps = BatchSteps(conn, name)
        self._max_batch = max_batch
        self.busy_timeout_ms = busy_timeout_ms
        # The loop never waits for a lock: a busy database sends the batch to the thread.
        conn.execute("PRAGMA busy_timeout=0")
        self._loop = asyncio.get_running_loop()
        self._pending: deque[Op] = deque()
        self._busy = False  # a batch is running; the connection is its own until it ends
        self._stopping = False
        self._stopped: asyncio.Future[None] = self._loop.create_future()
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="sqlite-writer", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[sqlite3.Connection], T], size: int = 0) -> asyncio.Future[T]:
        """Queue a write storing about `size` bytes, to run in the caller's context; its future
        resolves once it is committed."""
        if self._stopping:
            raise StoreError(f"{self._name} is closed")
        future: asyncio.Future[T] = self._loop.create_future()
        self._pending.append(Op(contextvars.copy_context(), fn, future, size))
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

    def _on_thread(self, batch: list[Op], work: Callable[[list[Op]], Done]) -> None:
        """Run `work` on the batch on the writer thread, then finish the batch on the loop."""

        def job() -> None:
            done = self._guarded(batch, work)
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                self._loop.call_soon_threadsafe(self._finish, done)

        self._jobs.put(job)

    def _next_batch(self) -> None:
        """On the loop: begin and apply the next batch, and hand its COMMIT to the thread."""
        if not self._pending:
            self._busy = False
            if self._stopping:
                self._close()
            return
        batch = [self._pending.popleft() for _ in range(min(len(self._pending), self._max_batch))]
        try:
            done = self._start(batch)
        except FAILURES as e:
            done = Done(self._steps.bug(batch, e), [])
        if done is not None:
            self._answer(done)

    def _start(self, batch: list[Op]) -> Done | None:
        """Begin and apply on the loop; None once the thread has the batch (its COMMIT, or all
        of it: when it is large or another process holds the lock)."""
        if sum(op.size for op in batch) > LOOP_BATCH_BYTES:
            self._on_thread(batch, self._run_on_thread)
            return None
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            if not is_busy(e):
                return Done([self._steps.failed(op, "cannot begin", e) for op in batch], [])
            self._on_thread(batch, self._run_on_thread)  # it waits for the lock there
            return None
        result = self._steps.apply(batch)
        if not self._conn.in_transaction:  # lost: nothing to commit
            return Done(result.failed, result.leftover)
        self._on_thread(batch, lambda _: self._steps.commit(result))
        return None

    def _answer(self, done: Done) -> None:
        """On the loop, with no COMMIT to wait for: settle, and go on at the loop's next turn."""
        try:
            self._settle(done)
        finally:
            # Not a direct call: a run of failing batches must not nest ever deeper.
            self._loop.call_soon(self._next_batch)

    def _finish(self, done: Done) -> None:
        """On the loop, once the thread is done with a batch: settle it and start the next."""
        try:
            self._settle(done)
        finally:
            self._next_batch()

    def _settle(self, done: Done) -> None:
        """Put back the writes a lost transaction left untried; hand the others their outcome."""
        self._pending.extendleft(reversed(done.leftover))
        for future, error, result in done.outcomes:
            if future.done():  # cancelled: the request was cut off
                continue
            if error is None:
                future.set_result(result)
            elif isinstance(error, StopIteration | asyncio.CancelledError):
                # A future refuses a StopIteration, and a CancelledError would cancel the caller.
                future.set_exception(self._steps.error("write failed", error))
            else:
                future.set_exception(error)

    def _run_on_thread(self, batch: list[Op]) -> Done:
        return self._steps.run_waiting(batch, self.busy_timeout_ms)

    def _guarded(self, batch: list[Op], work: Callable[[list[Op]], Done]) -> Done:
        try:
            return work(batch)
        except FAILURES as e:
            return Done(self._steps.bug(batch, e), [])

    def _close(self) -> None:
        def close() -> None:
            self._conn.close()
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stopped.set_result, None)

        self._jobs.put(close)
        self._jobs.put(None)
