"""bench/minimal's store: group commit, rows refused alone, waiting for the writes at a stop."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from bench.minimal.store import Closing, RowRefused, Store
from taskservice.ids import new_task_id


def row(title: Any = "T", priority: Any = "none", due: Any = None) -> tuple[object, ...]:
    return (new_task_id(), title, None, priority, False, due)


def stored_ids(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM tasks")}


def counting_inserts(store: Store, delay_s: float = 0.0) -> list[int]:
    """Wrap the store's group insert: record each group's size, optionally slowing it down."""
    sizes: list[int] = []
    insert = store._insert

    def slow(rows: list[tuple[object, ...]]) -> list[Exception | None]:
        sizes.append(len(rows))
        time.sleep(delay_s)
        return insert(rows)

    store._insert = slow  # type: ignore[method-assign]
    return sizes


def test_rows_sqlite_refuses_fail_alone_and_the_rest_of_their_group_is_stored(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "t.db")
    sizes = counting_inserts(store)
    rows = [row(), row(priority=None), row(), row(due=2**70), row(title="\ud800"), row()]

    async def main() -> list[BaseException | None]:
        return await asyncio.gather(*(store.create(r) for r in rows), return_exceptions=True)

    try:
        outcomes = asyncio.run(main())
    finally:
        store.close()
    assert sizes == [6]  # one group: the refused rows shared its transaction
    assert [type(o).__name__ for o in outcomes] == [
        "NoneType", "RowRefused", "NoneType", "RowRefused", "RowRefused", "NoneType",
    ]  # fmt: skip
    assert stored_ids(tmp_path / "t.db") == {rows[0][0], rows[2][0], rows[5][0]}


def test_idle_waits_for_a_group_that_started_while_it_waited(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    sizes = counting_inserts(store, delay_s=0.05)
    first, second = row(), row()

    async def racer() -> None:
        # Woken by the first group's end before idle() is, it starts a second group at once.
        await store._idle.wait()
        await store.create(second)

    async def main() -> set[str]:
        early = asyncio.create_task(store.create(first))
        await asyncio.sleep(0.01)  # the first group is committing now
        late = asyncio.create_task(racer())
        await asyncio.sleep(0)  # the racer waits before idle() does
        await store.idle()
        on_disk = stored_ids(tmp_path / "t.db")
        await asyncio.gather(early, late)
        return on_disk

    try:
        assert asyncio.run(main()) == {first[0], second[0]}
    finally:
        store.close()
    assert sizes == [1, 1]


def test_a_closing_store_refuses_new_writes_and_stores_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    store.closing = True
    try:
        with pytest.raises(Closing):
            asyncio.run(store.create(row()))
    finally:
        store.close()
    assert stored_ids(tmp_path / "t.db") == set()


def test_a_refused_row_is_a_row_refused_error_naming_sqlites_reason(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    try:
        with pytest.raises(RowRefused, match="NOT NULL"):
            asyncio.run(store.create(row(priority=None)))
    finally:
        store.close()
