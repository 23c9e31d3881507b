"""PostgreSQL for tests: an empty database per test on the cluster CI starts, and private
throwaway clusters for tests that stop their server."""

from __future__ import annotations

import asyncio
import glob
import itertools
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bench.load.service import free_port

ENV = "TASKSERVICE_TEST_POSTGRES"
_NO_SERVER = f"no PostgreSQL: set {ENV} to a DSN (.ci/run starts one)"
_NO_BINARIES = "no PostgreSQL server programs (initdb, pg_ctl): apt-get install postgresql"
_names = itertools.count()


def _skip_or_fail(reason: str) -> NoReturn:
    """Skip locally; in CI, where .ci/run provides PostgreSQL, its absence is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run provides it, so CI must have it", pytrace=False)
    pytest.skip(reason)


def server_dsn_or_skip() -> str:
    """The DSN of the test cluster (a role that may create databases), from the environment."""
    dsn = os.environ.get(ENV, "")
    if not dsn:
        _skip_or_fail(_NO_SERVER)
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
    # Locale C: the only one every encoding accepts, and what a cluster made by .ci/run has.
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
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "pg_ctl").exists() and (Path(folder) / "initdb").exists():
            return Path(folder)
    _skip_or_fail(_NO_BINARIES)


@dataclass
class PrivateCluster:
    """A PostgreSQL cluster of its own in `folder`, on a free loopback port; its superuser
    `postgres` logs in with a random password (scram-sha-256), as a production server asks.

    As root it runs as the `postgres` user, since the server refuses to run as root.
    """

    folder: Path
    binaries: Path
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_hex(12))

    @property
    def dsn(self) -> str:
        """The superuser's DSN, password included, over TCP on 127.0.0.1."""
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        as_user: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*as_user, *args], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, f"{args[0]} failed: {done.stdout}{done.stderr}"

    def create(self) -> PrivateCluster:
        """initdb and a first start."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres")
        # --no-sync: a throwaway cluster need not survive a power cut of the test machine.
        self._run(
            str(self.binaries / "initdb"), "-D", str(self.data), "-U", "postgres",
            "-A", "scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        pwfile.unlink()
        self.port = free_port()
        self.start()
        return self

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def start(self) -> None:
        """Start the server (again) on the same port, and wait until it accepts connections."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}"
        log = str(self.folder / "server.log")
        self._run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-l", log,
                  "-o", options, "-w", "start")  # fmt: skip

    def stop(self) -> None:
        """Stop the server: `fast` ends every session at once, as an outage would."""
        self._run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        """Whether the server's postmaster runs (its pid file is there)."""
        return (self.data / "postmaster.pid").exists()


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A throwaway cluster in a new folder under the system's temporary folder (pytest's own
    folders are private to root, where the postgres user could not reach), stopped and removed
    at the end whatever happened."""
    binaries = server_binaries_or_skip()
    folder = Path(tempfile.mkdtemp(prefix="taskservice-pg-"))
    try:
        cluster = PrivateCluster(folder, binaries).create()
        try:
            yield cluster
        finally:
            if cluster.running():
                cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def wait_until(check: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Poll `check` every 50 ms until it is true or `timeout` passes; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()
