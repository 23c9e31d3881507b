"""Count server errors (5xx) twice: in the server's own log, and in locust's failures."""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

# The load config sends ERROR and above to the console, which the harness saves as server.log,
# and the canonical RESPONSE line of every 5xx is logged at ERROR: so server.log holds them all,
# unrotated, unlike the INFO file, which rotates and goes with the service's temporary folder.
# Its format is '%(asctime)s %(name)s %(levelname)s : %(message)s' with a logfmt message; a
# value holding '=' or a space is quoted, so ` status=503` cannot come from a user's input.
_LINE = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) \S+ \S+ : (.*)")
_RESPONSE = re.compile(r"(?:^| )message=RESPONSE(?: |$)")
_STATUS_5XX = re.compile(r"(?:^| )status=5\d\d(?: |$)")

# What bench/load/checks.py says when a status is wrong: "expected 201, got 503", and for bad
# input "server error 503 on bad input". Other messages hold numbers that are not statuses.
_FAILURE_5XX = re.compile(r"expected \d{3}, got 5\d\d\b|server error 5\d\d\b")


def server_5xx(log: Path) -> list[float]:
    """The wall-clock time of every 5xx the server logged in `log`, in order."""
    if not log.exists():
        return []
    times = []
    with log.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            match = _LINE.match(line)
            if match is None:
                continue
            stamp, millis, message = match.groups()
            if _RESPONSE.search(message) and _STATUS_5XX.search(message):
                local = time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S"))
                times.append(local + int(millis) / 1000)
    return times


def locust_5xx(failures_csv: Path) -> int:
    """Requests locust counted as failed because the server answered 5xx (its failures CSV)."""
    if not failures_csv.exists():
        return 0
    with failures_csv.open(newline="") as f:
        return sum(
            int(row["Occurrences"])
            for row in csv.DictReader(f)
            if _FAILURE_5XX.search(row["Error"])
        )
