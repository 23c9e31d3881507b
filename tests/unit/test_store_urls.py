"""Choosing a store engine by URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskservice.store import DEFAULT_STORE_URL, MemoryStore, SqliteStore, make_store


def test_memory_url_makes_memory_store() -> None:
    assert isinstance(make_store("memory://"), MemoryStore)


def test_three_slashes_make_a_relative_sqlite_path() -> None:
    store = make_store("sqlite:///data/tasks.db")
    assert isinstance(store, SqliteStore)
    assert store.path == Path("data/tasks.db")


def test_four_slashes_make_an_absolute_sqlite_path() -> None:
    store = make_store("sqlite:////var/lib/tasks.db")
    assert isinstance(store, SqliteStore)
    assert store.path == Path("/var/lib/tasks.db")


def test_sqlite_synchronous_option_is_passed_through() -> None:
    store = make_store("sqlite:///t.db?synchronous=normal")
    assert isinstance(store, SqliteStore)
    assert store.synchronous == "NORMAL"


def test_default_url_is_sqlite_under_data() -> None:
    store = make_store(DEFAULT_STORE_URL)
    assert isinstance(store, SqliteStore)
    assert store.path == Path("data/tasks.db")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/tasks", "unsupported store URL"),
        ("tasks.db", "unsupported store URL"),
        ("", "unsupported store URL"),
        ("memory://somewhere", "memory:// takes no host"),
        ("sqlite://host/tasks.db", "expected memory:// or sqlite:///PATH"),
        ("sqlite:///", "expected memory:// or sqlite:///PATH"),
        ("sqlite:///t.db?cache=shared", "unknown sqlite option"),
        ("sqlite:///t.db?synchronous=maybe", "synchronous must be one of"),
    ],
)
def test_bad_url_is_refused_with_a_reason(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_store(url)
