"""Run wrk against one URL and read its report: rate, latency percentiles, errors."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import cpus

# wrk prints times with the unit that keeps them short; these turn them into milliseconds.
_TO_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_TIME = r"([0-9.]+)(us|ms|s|m|h)"
_PERCENTILE = re.compile(rf"^\s*(50|75|90|99)%\s+{_TIME}\s*$", re.M)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m|h)", re.M)
_RATE = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.M)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)", re.M)
SOCKET_KINDS = ("connect", "read", "write", "timeout")


class WrkError(RuntimeError):
    """wrk failed or printed something that is not its report; the message says which."""


@dataclass(frozen=True)
class WrkResult:
    """One wrk measurement: completed requests, their rate, latency, and what went wrong."""

    requests: int
    seconds: float
    rps: float
    latency_ms: dict[str, float]  # "p50" ... "p99"
    non_2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """Responses that were not 2xx or 3xx, plus socket errors of every kind."""
        return self.non_2xx + sum(self.socket_errors.values())


def _ms(value: str, unit: str) -> float:
    return float(value) * _TO_MS[unit]


def parse(text: str) -> WrkResult:
    """Read wrk's printed report (run with --latency); WrkError if it is not one."""
    requests, rate = _REQUESTS.search(text), _RATE.search(text)
    percentiles = {f"p{m[1]}": _ms(m[2], m[3]) for m in _PERCENTILE.finditer(text)}
    if requests is None or rate is None or "p50" not in percentiles or "p99" not in percentiles:
        raise WrkError(f"not a wrk --latency report: {text.strip()[:200]!r}")
    socket = _SOCKET.search(text)
    non_2xx = _NON_2XX.search(text)
    return WrkResult(
        requests=int(requests[1]),
        seconds=_ms(requests[2], requests[3]) / 1e3,
        rps=float(rate[1]),
        latency_ms=percentiles,
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=dict(
            zip(SOCKET_KINDS, map(int, socket.groups()), strict=True)
            if socket
            else ((kind, 0) for kind in SOCKET_KINDS)
        ),
    )


def command(
    url: str,
    seconds: int,
    connections: int,
    cores: tuple[int, ...] | None,
    script: Path | None = None,
) -> list[str]:
    """The wrk command line: one thread, `connections` kept open, latency percentiles."""
    return [
        *cpus.prefix(cores), "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
        *(["-s", str(script)] if script else []), url,
    ]  # fmt: skip


def run(
    url: str,
    seconds: int,
    connections: int,
    cores: tuple[int, ...] | None,
    script: Path | None = None,
) -> WrkResult:
    """Measure `url` for `seconds`; WrkError when wrk fails."""
    cmd = command(url, seconds, connections, cores, script)
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise WrkError(f"{' '.join(cmd)}: {e}") from None
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()
        raise WrkError(f"wrk exited with {done.returncode}: {why[-1] if why else ''}")
    return parse(done.stdout)


def version() -> str:
    """wrk's version line's first words, e.g. `wrk debian/4.1.0-3+b2 [epoll]`."""
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).splitlines()
    return first[0].partition(" Copyright")[0].strip() if first else "unknown"


POST_SCRIPT = """\
wrk.method = "POST"
wrk.body = '{"title": "Task1"}'
wrk.headers["Content-Type"] = "application/json"
"""
"""A wrk script for POST /tasks with the tutorial's body."""
