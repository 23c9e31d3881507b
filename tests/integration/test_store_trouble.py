"""The real sqlite store locked or full under a running app: 503 JSON, and nothing half-written."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from taskservice.store import SqliteStore, Store
from tests.integration.support import AppTestCase
from tests.support.faults import write_lock

UNAVAILABLE = "the task store is unavailable; try again later"


class SqliteAppTestCase(AppTestCase):
    """The app over a real SqliteStore in a fresh folder, waiting at most 0.1 s for locks."""

    def make_store(self) -> Store:
        self.folder = Path(tempfile.mkdtemp(prefix="store-trouble-"))
        self.addCleanup(shutil.rmtree, self.folder)
        # The default 5 s wait for another connection's lock would only slow the tests down.
        self.sqlite = SqliteStore(self.folder / "tasks.db", busy_timeout_ms=100)
        return self.sqlite

    def pragma(self, setting: str) -> Any:
        """Run a PRAGMA on the store's write connection, as a write of its own."""

        async def run() -> Any:
            return await self.sqlite._call(lambda c: c.execute(f"PRAGMA {setting}").fetchone())

        return self.io_loop.run_sync(run)

    def listed(self) -> dict[str, Any]:
        response = self.request("GET", "/tasks")
        assert response.code == 200
        tasks: dict[str, Any] = json.loads(response.body)
        return tasks

    def other_connection_rows(self) -> int:
        with sqlite3.connect(self.sqlite.path) as conn:
            (count,) = conn.execute("SELECT count(*) FROM tasks").fetchone()
        conn.close()
        return int(count)


class TestLockedStore(SqliteAppTestCase):
    def test_writes_get_503_while_another_connection_holds_the_lock_and_reads_go_on(self) -> None:
        task_id = self.create({"title": "before the lock"})
        before = self.listed()
        with write_lock(self.sqlite.path):
            post = self.request("POST", "/tasks", '{"title": "x"}')
            self.assert_json_error(post, 503, UNAVAILABLE)
            put = self.request("PUT", f"/tasks/{task_id}", '{"title": "changed"}')
            self.assert_json_error(put, 503, UNAVAILABLE)
            self.assert_json_error(self.request("DELETE", f"/tasks/{task_id}"), 503, UNAVAILABLE)
            assert self.listed() == before  # WAL mode: readers never wait for the writer
        assert self.listed() == before
        assert self.other_connection_rows() == 1
        self.create({"title": "after the lock"})  # the store recovers by itself
        assert len(self.listed()) == 2


class TestFullStore(SqliteAppTestCase):
    def test_writes_get_503_when_full_and_every_acknowledged_task_is_intact(self) -> None:
        (pages,) = self.pragma("page_count")
        self.pragma(f"max_page_count = {pages + 8}")  # SQLITE_FULL, as a full disk gives
        sent: dict[str, dict[str, Any]] = {}
        for n in range(100):
            task = {"title": f"task {n}", "description": "d" * 3000}
            response = self.request("POST", "/tasks", json.dumps(task))
            if response.code != 201:
                self.assert_json_error(response, 503, UNAVAILABLE)
                break
            sent[response.headers["Location"].removeprefix("/tasks/")] = task
        else:
            raise AssertionError("the store never filled up")
        assert sent, "the first writes fit"
        defaults = {"priority": "none", "completed": False}
        assert self.listed() == {tid: {**task, **defaults} for tid, task in sent.items()}
        assert self.other_connection_rows() == len(sent)
        self.pragma(f"max_page_count = {pages + 1000}")  # room again: writes succeed again
        self.create({"title": "after the clean-up"})
