"""The layer table: which layer each frame belongs to, and each layer's share of a profile."""

from __future__ import annotations

import pytest

from bench.profile import layer_table, layers


@pytest.mark.parametrize(
    ("frame", "layer"),
    [
        ("Connection.send (taskservice/tornado/llhttp/protocol.py)", "HTTP transport"),
        ("HTTP1Connection._read_message (tornado/http1connection.py)", "HTTP transport"),
        ("BaseIOStream.write (tornado/iostream.py:520)", "HTTP transport"),
        ("RequestHandler.finish (tornado/web.py)", "framework"),
        ("BaseHandler.prepare (taskservice/tornado/basehandler.py)", "framework"),
        ("TaskService.get (taskservice/service.py)", "service core"),
        ("Task.to_json (taskservice/datamodel.py:88)", "service core"),
        ("SqliteStore._read (taskservice/store/sqlite.py)", "store"),
        ("Pool.acquire (asyncpg/pool.py)", "store"),
        ("Logger.info (logging/__init__.py)", "logging"),
        ("logfmt_fields (taskservice/utils/logutils.py)", "logging"),
        ("Runner.run (asyncio/runners.py)", "event loop"),
        ("_worker (concurrent/futures/thread.py)", "event loop"),
        ("main (/srv/app/something_else.py)", "other"),
    ],
)
def test_a_frame_belongs_to_the_layer_of_its_longest_matching_prefix(
    frame: str, layer: str
) -> None:
    assert layers.frame_layer(frame) == layer


def test_a_site_packages_path_is_matched_from_the_top_of_the_import_path() -> None:
    frame = "RequestHandler.write (/x/.venv/lib/python3.11/site-packages/tornado/web.py:900)"
    assert layers.frame_layer(frame) == "framework"


@pytest.mark.parametrize(
    "frame",
    ["JSONEncoder.encode (json/encoder.py)", "ABCMeta.__instancecheck__ (<frozen abc>:117)",
     "(loop)", "GET /tasks/{id}", "Pattern.match (re/__init__.py)"],
)  # fmt: skip
def test_a_general_helper_or_a_frame_without_a_file_has_no_layer_of_its_own(frame: str) -> None:
    assert layers.frame_layer(frame) is None


def test_a_helpers_time_is_charged_to_the_layer_that_called_it() -> None:
    stack = (
        "(loop);Task.to_json (taskservice/datamodel.py);dumps (json/__init__.py);"
        "JSONEncoder.encode (json/encoder.py)"
    )
    assert layers.stack_layer(stack) == "service core"


def test_a_stack_of_helpers_only_is_other() -> None:
    assert layers.stack_layer("(loop);ABCMeta.__instancecheck__ (<frozen abc>)") == "other"


def test_shares_cover_every_layer_and_add_up_to_one() -> None:
    loop = "Runner.run (asyncio/runners.py)"
    stacks = {
        f"{loop};Connection.send (taskservice/tornado/llhttp/protocol.py)": 3,
        f"{loop};RequestHandler.finish (tornado/web.py)": 1,
    }
    shares = layers.shares(stacks)
    assert list(shares) == list(layers.ORDER)
    assert shares["HTTP transport"] == 0.75
    assert shares["framework"] == 0.25
    assert shares["store"] == 0.0
    assert sum(shares.values()) == pytest.approx(1.0)


def test_the_table_splits_cpu_per_request_by_share() -> None:
    stacks = {"f (tornado/web.py)": 1, "g (taskservice/store/sqlite.py)": 3}
    table = layer_table.build("pyspy-oncpu", stacks, cpu_s=0.8, requests=2000)
    assert table is not None
    assert table["cpu_us_per_request"] == 400.0
    rows = {r["layer"]: r for r in table["rows"]}
    assert rows["store"]["us"] == 300.0
    assert rows["framework"]["us"] == 100.0
    assert "all                 100%         400" in layer_table.lines(table)[-1]
    assert "| store | 75.0% | 300 |" in layer_table.markdown(table)


def test_without_cpu_the_table_gives_shares_only() -> None:
    table = layer_table.build("yappi-cpu", {"f (tornado/web.py)": 5}, cpu_s=None, requests=10)
    assert table is not None
    assert table["cpu_us_per_request"] is None
    assert all(r["us"] is None for r in table["rows"])


def test_an_empty_picture_has_no_table() -> None:
    assert layer_table.build("pyspy-oncpu", {}, cpu_s=1.0, requests=10) is None


def test_a_diff_gives_each_layers_change_in_microseconds_per_request() -> None:
    a = layer_table.build("p", {"f (tornado/web.py)": 1, "g (asyncio/events.py)": 1}, 0.4, 1000)
    b = layer_table.build("p", {"f (tornado/web.py)": 1, "g (asyncio/events.py)": 3}, 0.6, 1000)
    assert a is not None
    assert b is not None
    rows = {r["layer"]: r for r in layer_table.diff_rows(a, b)}
    assert rows["framework"]["change"] == pytest.approx(150 - 200)
    assert rows["event loop"]["change"] == pytest.approx(450 - 200)
    assert rows["all"]["change"] == pytest.approx(200)
    printed = layer_table.diff_lines(list(rows.values()))
    assert any(line.startswith("event loop") and line.endswith("+250") for line in printed)
