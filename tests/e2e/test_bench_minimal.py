"""bench/minimal: the reference app answers the service's requests, durably, with a line each."""

from __future__ import annotations

import http.client
import json
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load.service import free_port, stop_process, wait_healthy
from bench.ratios import seed
from tests.support.server import REPO, wait_until
from tests.support.transport import served_by

Call = tuple[int, dict[str, str], bytes]


class Minimal:
    """A running `python -m bench.minimal` and a way to call it."""

    def __init__(self, folder: Path, store: Path | None = None, http: str | None = None) -> None:
        self.store = store or folder / "t.db"
        self.log = folder / "minimal.log"
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.minimal", "--port", str(self.port),
             "--store", str(self.store), "--log", str(self.log),
             *(["--http", http] if http else [])],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        trouble = wait_healthy(self.proc, self.port, 30)
        assert trouble is None, f"minimal app {trouble}"

    def call(self, method: str, path: str, body: bytes | None = None) -> Call:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body)
            got = conn.getresponse()
            return got.status, {k.lower(): v for k, v in got.getheaders()}, got.read()
        finally:
            conn.close()

    def stop(self) -> int:
        stop_process(self.proc)
        return self.proc.returncode


@pytest.fixture(params=["tornado", "llhttp"])
def app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Minimal]:
    """The minimal app on each transport: every test below holds for both."""
    running = Minimal(tmp_path, http=request.param)
    try:
        yield running
    finally:
        stop_process(running.proc)


def test_a_201_means_the_task_is_committed_and_get_returns_it(app: Minimal) -> None:
    status, headers, _ = app.call("POST", "/tasks", b'{"title": "Task1"}')
    assert status == 201
    task_id = headers["location"].removeprefix("/tasks/")
    # Another connection sees the row: the 201 came after COMMIT.
    with sqlite3.connect(app.store) as conn:
        assert conn.execute("SELECT title FROM tasks WHERE id = ?", (task_id,)).fetchall() == [
            ("Task1",)
        ]
    status, _, body = app.call("GET", f"/tasks/{task_id}")
    assert status == 200
    assert json.loads(body) == {"title": "Task1", "priority": "none", "completed": False}


def test_get_unknown_id_returns_404(app: Minimal) -> None:
    assert app.call("GET", "/tasks/0123456789abcdef0123456789abcdef")[0] == 404


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b'{"description": "no title"}',
        b'{"title": 7}',
        b'{"title": "T", "description": {"nested": 1}}',
        b'{"title": "T", "priority": null}',
        b'{"title": "T", "due_date": 99999999999999999999999}',
        b'{"title": "\\ud800"}',
        b'{"title": "T", "due_date": NaN}',
        b'{"title": "T", "due_date": Infinity}',
        b"[" * 100_000,
    ],
)
def test_post_of_a_body_it_cannot_store_returns_400_and_stores_nothing(
    app: Minimal, body: bytes
) -> None:
    assert app.call("POST", "/tasks", body)[0] == 400
    assert json.loads(app.call("GET", "/tasks")[2]) == {}


def test_pages_follow_the_link_header_to_the_end(app: Minimal) -> None:
    ids = sorted(
        app.call("POST", "/tasks", json.dumps({"title": f"T{i}"}).encode())[1]["location"][7:]
        for i in range(3)
    )
    status, headers, body = app.call("GET", "/tasks?limit=2")
    assert status == 200
    assert list(json.loads(body)) == ids[:2]
    assert headers["link"] == f'</tasks?limit=2&after={ids[1]}>; rel="next"'
    status, headers, body = app.call("GET", f"/tasks?limit=2&after={ids[1]}")
    assert list(json.loads(body)) == ids[2:]
    assert "link" not in headers


@pytest.mark.parametrize("limit", ["0", "-1", "ten"])
def test_a_limit_that_is_not_a_positive_number_returns_400(app: Minimal, limit: str) -> None:
    assert app.call("GET", f"/tasks?limit={limit}")[0] == 400


def test_every_request_has_one_line_with_its_id_written_by_shutdown(app: Minimal) -> None:
    answers = [app.call("GET", "/tasks/nope"), app.call("POST", "/tasks", b'{"title": "T"}')]
    assert app.stop() == 0
    lines = app.log.read_text().splitlines()
    assert len(lines) == 2
    for (status, headers, _), line in zip(answers, lines, strict=True):
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} minimal INFO : ", line), line
        assert f"req_id={headers['x-request-id']} " in line
        assert f" message=RESPONSE status={status} time_ms=" in line


def test_it_reads_a_store_the_service_seeded(tmp_path: Path) -> None:
    ids = seed.seed(tmp_path / "t.db", 5)
    app = Minimal(tmp_path)
    try:
        status, _, body = app.call("GET", "/tasks?limit=10")
        assert status == 200
        assert sorted(json.loads(body)) == sorted(ids)
        assert json.loads(app.call("GET", f"/tasks/{ids[0]}")[2])["title"] == "Task1"
    finally:
        app.stop()


def test_answers_carry_the_trims_the_service_makes_and_time_ordered_ids(app: Minimal) -> None:
    _, created, _ = app.call("POST", "/tasks", b'{"title": "T"}')
    status, headers, _ = app.call("GET", created["location"])
    assert status == 200
    assert "server" not in headers
    assert "etag" not in headers
    assert headers["date"].endswith(" GMT")
    # 48 bits of milliseconds first, as the service's ids: new rows land at the index's end
    millis = int(created["location"].removeprefix("/tasks/")[:12], 16)
    assert abs(millis - time.time() * 1000) < 60_000


def test_an_unknown_path_returns_404_with_a_request_id_and_a_line(app: Minimal) -> None:
    status, headers, _ = app.call("GET", "/nope")
    assert status == 404
    assert app.stop() == 0
    assert f"req_id={headers['x-request-id']} method=GET uri=/nope" in app.log.read_text()


def test_sigterm_answers_every_committed_write_201_even_on_kept_alive_connections(
    app: Minimal,
) -> None:
    answered: list[Call] = []
    stop = threading.Event()

    def client() -> None:
        # One kept-alive connection per client, POSTing until the server closes it.
        conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
        try:
            while not stop.is_set():
                conn.request("POST", "/tasks", body=b'{"title": "T"}')
                got = conn.getresponse()
                answered.append((got.status, {k.lower(): v for k, v in got.getheaders()}, b""))
                got.read()
        except (OSError, http.client.HTTPException):
            pass  # closed by the stop, with or without an answer
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    # The clients are writing when the signal comes: some writes answered, more on their way.
    assert wait_until(lambda: len(answered) >= 16, timeout=60), answered
    app.proc.send_signal(signal.SIGTERM)
    assert app.proc.wait(15) == 0
    stop.set()
    for t in threads:
        t.join(15)
    assert app.proc.stdout is not None
    output = app.proc.stdout.read().decode()
    assert "Traceback" not in output, output
    assert {status for status, _, _ in answered} <= {201, 503}
    created = {h["location"][7:] for status, h, _ in answered if status == 201}
    assert created  # the clients were writing when the signal came
    with sqlite3.connect(app.store) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM tasks")}
    # Every 201 is on disk, and every row on disk was answered 201: none cut off mid-answer.
    assert stored == created
    logged = app.log.read_text()
    for _, headers, _ in answered:
        assert f"req_id={headers['x-request-id']} " in logged


def test_the_stores_folder_is_made_when_missing(tmp_path: Path) -> None:
    app = Minimal(tmp_path, tmp_path / "not" / "yet" / "t.db")
    try:
        assert app.call("POST", "/tasks", b'{"title": "T"}')[0] == 201
        assert app.store.is_file()
    finally:
        app.stop()


@pytest.mark.parametrize(
    ("flags", "transport"), [([], "tornado"), (["--http", "llhttp"], "llhttp")]
)
def test_bench_minimal_serves_200_on_the_transport_its_http_flag_names(
    tmp_path: Path, flags: list[str], transport: str
) -> None:
    app = Minimal(tmp_path, http=flags[1] if flags else None)
    try:
        status, headers, _ = app.call("POST", "/tasks", b'{"title": "T"}')
        assert status == 201
        assert app.call("GET", headers["location"])[0] == 200
        assert served_by(app.port) == transport
    finally:
        assert app.stop() == 0
