"""Stores behind one async protocol, chosen by URL: `memory://`, `sqlite:///PATH` or
`postgresql://USER:PASSWORD@HOST:PORT/DATABASE`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl, urlsplit

from taskservice.store import postgres_url
from taskservice.store.memory import MemoryStore
from taskservice.store.postgres_url import redact
from taskservice.store.protocol import Store, Versioned
from taskservice.store.sqlite import SqliteStore
from taskservice.store.timed import StoreTime, TimedStore, start_request

if TYPE_CHECKING:
    from taskservice.store.postgres import PostgresStore

__all__ = [
    "DEFAULT_STORE_URL",
    "MemoryStore",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "StoreTime",
    "TimedStore",
    "Versioned",
    "make_store",
    "redact",
    "start_request",
]

DEFAULT_STORE_URL: Final = "sqlite:///data/tasks.db"
_FORMS: Final = (
    f"memory:// or sqlite:///PATH (relative) or sqlite:////PATH (absolute) or {postgres_url.FORM}"
)


def make_store(url: str) -> Store:
    """Build the store a URL names (not yet opened); ValueError says what is wrong with the URL."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed [ in the host
        raise ValueError(f"malformed store URL {redact(url)!r}; expected {_FORMS}") from None
    if parts.scheme == "memory":
        if parts.netloc or parts.path or parts.query:
            raise ValueError(f"memory:// takes no host, path or options, got {url!r}")
        return MemoryStore()
    if parts.scheme == "sqlite":
        # As in SQLAlchemy: three slashes then a relative path, four for an absolute one.
        if parts.netloc or not parts.path.startswith("/") or len(parts.path) < 2:
            raise ValueError(f"expected {_FORMS}, got {url!r}")
        options = dict(parse_qsl(parts.query, keep_blank_values=True))
        unknown = options.keys() - {"synchronous"}
        if unknown:
            raise ValueError(f"unknown sqlite option(s): {', '.join(sorted(unknown))}")
        return SqliteStore(Path(parts.path[1:]), options.get("synchronous", "FULL"))
    if parts.scheme in postgres_url.SCHEMES:
        checked = postgres_url.parse(url)
        from taskservice.store.postgres import PostgresStore  # see __getattr__

        return PostgresStore(checked)
    raise ValueError(f"unsupported store URL {redact(url)!r}; expected {_FORMS}")


def __getattr__(name: str) -> object:
    """PostgresStore, imported on first use: asyncpg takes about 0.2 s to import, which only a
    postgresql:// store should cost a server's start (and every e2e test's)."""
    if name == "PostgresStore":
        from taskservice.store.postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
