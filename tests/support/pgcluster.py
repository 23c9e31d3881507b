"""A private, throwaway PostgreSQL cluster, found, started and stopped from Python alone.

`./run.py test` starts one for the whole run and names it in TASKSERVICE_TEST_POSTGRES; tests
that stop their server make one of their own. No pytest here: run.py imports this module.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.load.service import free_port

ENV = "TASKSERVICE_TEST_POSTGRES"
PROGRAMS = ("initdb", "pg_ctl")
SERVER_USER = "postgres"  # the user Debian's package makes; the server refuses to run as root
TIMEOUT = 60.0


class ClusterError(RuntimeError):
    """The cluster could not be made, started or stopped; the message says why."""


def _version(folder: str) -> tuple[int, ...]:
    """The version in /usr/lib/postgresql/VERSION/bin, as numbers: 9.6 is older than 15."""
    return tuple(int(n) for n in re.findall(r"\d+", Path(folder).parent.name))


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: PATH's, else Debian's newest, which is off PATH."""
    on_path = shutil.which("pg_ctl")
    folders = [Path(on_path).resolve().parent] if on_path else []
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)
    folders += map(Path, debian)
    return next((f for f in folders if all(os.access(f / p, os.X_OK) for p in PROGRAMS)), None)


def server_user() -> pwd.struct_passwd | None:
    """As root, the user the server runs as; None when not root (it runs as us)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise ClusterError(
            f"as root, the server needs a {SERVER_USER!r} user to run as, and there is none"
        ) from None


@dataclass
class Cluster:
    """A cluster of its own in `folder`, on a loopback port, its socket in `folder`: its
    superuser `postgres` logs in over TCP with a random password (scram-sha-256)."""

    folder: Path
    binaries: Path
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def dsn(self) -> str:
        """The superuser's DSN, password included, over TCP on 127.0.0.1."""
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        """The cluster's data folder."""
        return self.folder / "data"

    def _run(self, program: str, *args: str) -> None:
        """Run one of the server's programs, as the server's user; ClusterError if it fails."""
        user = server_user()
        cmd = [str(self.binaries / program), *args]
        try:
            done = subprocess.run(
                cmd, cwd=self.folder, capture_output=True, text=True, timeout=TIMEOUT, check=False,
                user=user.pw_uid if user else None, group=user.pw_gid if user else None,
                extra_groups=[] if user else None,  # not root's: the postgres user's groups only
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ClusterError(f"{program}: {err}") from None
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            said = (done.stdout + done.stderr + tail).strip()
            raise ClusterError(f"{program} exited {done.returncode}: {said}")

    def create(self) -> Cluster:
        """initdb, then a first start on a free port."""
        user = server_user()
        if user:
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password + "\n")
        if user:
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        # Locale C and UTF-8: the same collation and encoding everywhere. --no-sync: the cluster
        # is thrown away (the server itself still fsyncs each commit, as in production).
        try:
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "-A", "scram-sha-256",
                f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)
        self.port = free_port()
        self.start()
        return self

    def start(self) -> None:
        """Start the server (again) on the same port; return once it accepts connections."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}"
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w",
                  "-t", str(int(TIMEOUT)), "start")  # fmt: skip

    def stop(self) -> None:
        """Stop the server: `fast` ends every session at once, as an outage would."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        """Whether the server's postmaster runs (its pid file is there)."""
        return (self.data / "postmaster.pid").exists()


@contextmanager
def temporary_cluster(binaries: Path) -> Iterator[Cluster]:
    """A new cluster, started, in a new folder under the system's temporary folder (the server's
    user must reach it); stopped and removed at the end whatever happened."""
    folder = Path(tempfile.mkdtemp(prefix="taskservice-pg-"))
    try:
        cluster = Cluster(folder, binaries)
        try:
            yield cluster.create()
        finally:
            if cluster.running():
                cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
