"""The steps of one group-commit batch on the write connection: begin, apply, commit, undo."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sqlite3
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from taskservice.errors import StoreError

# What a write may raise and still fail alone. CancelledError is no Exception, yet a write that
# raised it must not take the writer down; KeyboardInterrupt and SystemExit do end the process.
FAILURES: Final = (Exception, asyncio.CancelledError)


class Op(NamedTuple):
    """One queued write: the function to run, in its caller's context, and its future."""

    context: contextvars.Context
    fn: Callable[[sqlite3.Connection], object]
    future: asyncio.Future[Any]
    size: int  # about how many bytes the write stores


class Outcome(NamedTuple):
    """A write's result or error, for its future."""

    future: asyncio.Future[Any]
    error: BaseException | None
    result: object


class Applied(NamedTuple):
    """A batch inside its open transaction."""

    failed: list[Outcome]
    applied: list[Outcome]  # done inside the open transaction, not yet committed
    leftover: list[Op]  # not tried, as their transaction was lost: they go in the next batch


class Done(NamedTuple):
    """A batch that is over: every write's outcome, and the writes to try again."""

    outcomes: list[Outcome]
    leftover: list[Op]


class BatchSteps:
    """Runs a batch's steps on one connection, from whichever thread holds it at the time."""

    def __init__(self, conn: sqlite3.Connection, name: str) -> None:
        self.conn = conn
        self.name = name

    def run_waiting(self, batch: list[Op], busy_timeout_ms: int) -> Done:
        """The whole batch, waiting up to `busy_timeout_ms` for the write lock (off the loop)."""
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            return Done([self.failed(op, "cannot begin", e) for op in batch], [])
        finally:
            conn.execute("PRAGMA busy_timeout=0")
        return self.commit(self.apply(batch))

    def apply(self, batch: list[Op]) -> Applied:
        """Run each write in its savepoint, inside the open transaction."""
        conn = self.conn
        failed: list[Outcome] = []
        applied: list[Outcome] = []
        for index, op in enumerate(batch):
            try:
                conn.execute("SAVEPOINT op")
                result = op.context.run(op.fn, conn)
                conn.execute("RELEASE op")
            except FAILURES as e:
                failed.append(Outcome(op.future, e, None))
                if not self._undo_op():
                    # SQLite rolled back the whole transaction (a full disk, an I/O error), so
                    # the writes before this one are gone too; those after it go in a new batch.
                    failed.extend(self.failed(done, "rolled back", e) for done in applied)
                    return Applied(failed, [], batch[index + 1 :])
                continue
            applied.append(Outcome(op.future, None, result))
        return Applied(failed, applied, [])

    def commit(self, result: Applied) -> Done:
        """COMMIT (the fsync: never on the loop); if it fails, every applied write fails."""
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as e:
            self.abandon()
            lost = [self.failed(done, "cannot commit", e) for done in result.applied]
            return Done(result.failed + lost, result.leftover)
        return Done(result.failed + result.applied, result.leftover)

    def bug(self, batch: list[Op], error: BaseException) -> list[Outcome]:
        """Fail a whole batch that a bug interrupted, rolling back what it had done."""
        # Not SQLite's refusal, which the steps above answer: answer these writes with a 503
        # rather than leave them, and every write after them, waiting forever.
        self.abandon()
        return [self.failed(op, "writer failed", error) for op in batch]

    def failed(self, op: Op | Outcome, what: str, error: BaseException) -> Outcome:
        """A write's outcome as a StoreError saying what failed."""
        return Outcome(op.future, self.error(what, error), None)

    def error(self, what: str, error: BaseException) -> StoreError:
        """A StoreError for one write, caused by `error`."""
        # A fresh exception per write: one shared instance would collect every awaiter's frames.
        failure = StoreError(f"{self.name}: {what}: {str(error) or type(error).__name__}")
        failure.__cause__ = error
        return failure

    def abandon(self) -> None:
        """Roll back the open transaction, if any."""
        if self.conn.in_transaction:  # some errors have rolled it back already
            # Should even that fail, there is nothing more to undo; the next BEGIN reports it.
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    def _undo_op(self) -> bool:
        """Roll back the failed write's savepoint; False if the whole transaction is gone."""
        if not self.conn.in_transaction:
            return False
        try:
            self.conn.execute("ROLLBACK TO op")
            self.conn.execute("RELEASE op")
        except sqlite3.Error:
            self.abandon()
            return False
        return True
