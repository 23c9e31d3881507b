"""Ways to make the disk misbehave for a server subprocess, without mounting anything."""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


def obey_file_permissions() -> None:
    """preexec_fn: make a root child subject to file permissions, as any other user is.

    Root reads a mode-000 file through the capabilities CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH.
    Dropping both from the bounding set means the program exec'd next never gets them back, so
    chmod denies it for real. Another user needs nothing; a root without CAP_SETPCAP fails here.
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def file_size_limit(max_bytes: int) -> Callable[[], None]:
    """preexec_fn: no file the child writes may grow past max_bytes (RLIMIT_FSIZE).

    The write that would cross the limit fails (EFBIG, or a short write), as on a full disk
    (ENOSPC); Python ignores SIGXFSZ, so the process lives on.
    """

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
        # Under `./run.py coverage` the child would measure itself and fail to write its data
        # file at exit, onto stderr; unmeasured, it says only what the server says.
        os.environ.pop("COVERAGE_PROCESS_CONFIG", None)

    return limit


@contextlib.contextmanager
def write_lock(db: Path) -> Iterator[sqlite3.Connection]:
    """Hold the database's write lock from another connection, as a long transaction would."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("ROLLBACK")
    finally:
        conn.close()


@contextlib.contextmanager
def exclusive_lock(db: Path) -> Iterator[None]:
    """Hold the database file exclusively from another connection: nobody else may even read."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=0)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")  # exclusive locking mode keeps the lock after the transaction
        yield
    finally:
        conn.close()


def corrupt_pages_after_the_first(db: Path) -> None:
    """Overwrite every page but the first (header and schema) with garbage of the same size."""
    with sqlite3.connect(db) as conn:
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    size = db.stat().st_size
    assert size > page_size, "the database has only its first page"
    with db.open("r+b") as f:
        f.seek(page_size)
        garbage = bytes(range(256)) * ((size - page_size) // 256 + 1)
        f.write(garbage[: size - page_size])
