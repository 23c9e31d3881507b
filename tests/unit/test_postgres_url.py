"""postgresql:// store URLs: what they may hold, what they set, and that no message shows the
password."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from taskservice.store import PostgresStore, make_store, redact
from taskservice.store.postgres_url import DEFAULT_MAX_SIZE, DEFAULT_MIN_SIZE, parse

SECRET = "s3cr3t-pw"  # noqa: S105 -- a made-up password, to look for in messages


def test_postgresql_url_makes_a_postgres_store_with_default_pool_sizes() -> None:
    store = make_store(f"postgresql://app:{SECRET}@127.0.0.1:5432/tasks")
    assert isinstance(store, PostgresStore)
    assert store.url.dsn == f"postgresql://app:{SECRET}@127.0.0.1:5432/tasks"
    assert (store.url.min_size, store.url.max_size) == (DEFAULT_MIN_SIZE, DEFAULT_MAX_SIZE)
    assert SECRET not in repr(store)


def test_postgres_scheme_is_accepted_too() -> None:
    assert isinstance(make_store("postgres://app@db.internal/tasks"), PostgresStore)


def test_pool_options_are_used_and_not_passed_to_the_server() -> None:
    url = parse(
        "postgresql://app@h/tasks?min_size=2&sslmode=disable&max_size=4&connect_timeout=2.5"
    )
    assert (url.min_size, url.max_size, url.connect_timeout_s) == (2, 4, 2.5)
    assert url.dsn == "postgresql://app@h/tasks?sslmode=disable"


def test_url_without_a_password_and_with_a_passfile_passes_the_passfile_to_asyncpg() -> None:
    url = parse(
        "postgresql://app@127.0.0.1:5432/tasks?passfile=/etc/task service/pgpass&max_size=4"
    )
    parts = urlsplit(url.dsn)
    assert (parts.username, parts.password) == ("app", None)
    assert parse_qs(parts.query) == {"passfile": ["/etc/task service/pgpass"]}
    assert url.max_size == 4


def test_min_size_above_the_default_max_raises_the_max_with_it() -> None:
    url = parse(f"postgresql://h/tasks?min_size={DEFAULT_MAX_SIZE + 5}")
    assert url.max_size == url.min_size == DEFAULT_MAX_SIZE + 5


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://h/a/b", "one database name"),
        ("postgresql://h:99999/tasks", "bad host or port"),
        ("postgresql://h:port/tasks", "bad host or port"),
        ("postgresql://[::1/tasks", "malformed store URL"),
        ("postgresql://h1,h2/tasks", "one host only"),
        ("postgresql://h/tasks#x", "no #fragment"),
        ("postgresql://h/tasks?pool", "malformed options"),
        ("postgresql://h/tasks?min_size=1&min_size=2", "given twice"),
        ("postgresql://h/tasks?password=x", r"unknown postgresql option\(s\): password"),
        ("postgresql://h/tasks?min_size=-1", "min_size must be a whole number from 0"),
        ("postgresql://h/tasks?max_size=0", "max_size must be a whole number from 1"),
        ("postgresql://h/tasks?max_size=1e3", "max_size must be a whole number"),
        ("postgresql://h/tasks?min_size=5&max_size=2", r"min_size \(5\) must not exceed"),
        ("postgresql://h/tasks?connect_timeout=0", "connect_timeout must be a number"),
        ("postgresql://h/tasks?connect_timeout=nan", "connect_timeout must be a number"),
        ("postgresql://h/tasks?sslmode=always", "sslmode must be one of"),
    ],
)
def test_bad_postgresql_url_is_a_value_error_naming_the_problem(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_store(url)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://app:{SECRET}@h:port/tasks",  # urlsplit's own message quotes the "port"
        f"postgresql://app:{SECRET}@h/a/b",
        f"postgresql://app:{SECRET}@h/tasks?bogus=1",
        f"postgresql://app:{SECRET[:3]}/{SECRET[3:]}@h/tasks",  # a / ends urlsplit's host early
        f"postgresql://app:{SECRET}@[::1/tasks",
        f"postgres-ish://app:{SECRET}@h/tasks",
    ],
)
def test_no_url_error_shows_the_password(url: str) -> None:
    with pytest.raises(ValueError, match=r"postgresql|store URL") as err:
        make_store(url)
    assert SECRET[:3] not in str(err.value)
    assert SECRET[3:] not in str(err.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"postgresql://app:{SECRET}@h:5/db", "postgresql://app:***@h:5/db"),
        (f"postgresql://app:p@{SECRET}@h/db", "postgresql://app:***@h/db"),
        ("postgresql://app@h/db", "postgresql://app@h/db"),
        ("postgresql://h/db", "postgresql://h/db"),
        ("sqlite:///data/a@b.db", "sqlite:///data/a@b.db"),
        ("memory://", "memory://"),
    ],
)
def test_redact_hides_only_the_password(url: str, shown: str) -> None:
    assert redact(url) == shown
