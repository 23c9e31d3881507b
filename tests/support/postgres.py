"""PostgreSQL for tests: an empty database per test on the cluster `./run.py test` starts, and
private throwaway clusters (tests/support/pgcluster.py) for tests that stop their server."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from tests.support import needs, pgcluster
from tests.support.pgcluster import Cluster

ENV = pgcluster.ENV
_NO_SERVER = f"no PostgreSQL: set {ENV} to a DSN (./run.py test starts a cluster and sets it)"
_NO_BINARIES = "no PostgreSQL server programs (initdb, pg_ctl): apt-get install postgresql"
_names = itertools.count()


def server_dsn_or_skip() -> str:
    """The DSN of the test cluster (a role that may create databases), from the environment."""
    dsn = os.environ.get(ENV, "")
    if not dsn:
        if pgcluster.find_binaries() is None:  # what to install, rather than what to set
            needs.skip_or_fail(needs.POSTGRES, _NO_BINARIES)
        needs.skip_or_fail(needs.POSTGRES_SERVER, _NO_SERVER)
    return dsn


def with_database(dsn: str, database: str) -> str:
    """The same DSN, naming another database."""
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


def run_sql(dsn: str, statement: str, *args: object) -> list[asyncpg.Record]:
    """Run one statement on a new connection, from synchronous test code; its rows."""

    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch(statement, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


@contextmanager
def fresh_database(server_dsn: str, encoding: str = "UTF8") -> Iterator[str]:
    """A new, empty database on the server for one test; its DSN. Dropped afterwards."""
    name = f"taskservice_test_{os.getpid()}_{next(_names)}"
    # Locale C: the only one every encoding accepts, and what tests/support/pgcluster.py makes.
    run_sql(
        server_dsn,
        f"CREATE DATABASE {name} TEMPLATE template0 ENCODING '{encoding}'"
        " LC_COLLATE 'C' LC_CTYPE 'C'",
    )
    try:
        yield with_database(server_dsn, name)
    finally:
        # FORCE: a test that failed may have left connections open.
        run_sql(server_dsn, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def server_binaries_or_skip() -> Path:
    """The folder holding initdb and pg_ctl (on PATH, or where Debian puts them)."""
    binaries = pgcluster.find_binaries()
    if binaries is None:
        needs.skip_or_fail(needs.POSTGRES, _NO_BINARIES)
    try:
        pgcluster.server_user()
    except pgcluster.ClusterError as err:
        needs.skip_or_fail(needs.POSTGRES_USER, str(err))
    return binaries


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A throwaway cluster of the test's own, started; stopped and removed at the end."""
    with pgcluster.temporary_cluster(server_binaries_or_skip()) as cluster:
        yield cluster
