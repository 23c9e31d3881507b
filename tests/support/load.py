"""Run `./run.py load` as a user does, in a subprocess (locust must never load inside pytest)."""

from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path

from tests.support.server import REPO


def run_load(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`./run.py load ARGS`, to completion."""
    return run_target("load", *args, timeout=timeout)


def run_target(target: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`./run.py TARGET ARGS`, to completion."""
    return subprocess.run(
        [sys.executable, str(REPO / "run.py"), target, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def answers(port: int, path: str = "/", timeout: float = 1.0) -> int | None:
    """The status of GET path on 127.0.0.1:port, or None when nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def service_port(summary_md: Path) -> int:
    """The port of the service a run started, from its summary.md."""
    line = next(x for x in summary_md.read_text().splitlines() if x.startswith("- service "))
    return int(line.split("http://127.0.0.1:", 1)[1].split(",", 1)[0])
