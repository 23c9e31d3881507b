"""Judge a soak from its samples: memory growth after warm-up, leaked descriptors, server errors."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.soak.sampler import Sample

RSS_GROWTH_LIMIT = 0.10
# An idle server's descriptor count may differ by a few (a log file rotated, the sqlite WAL and
# shm files opened on first write); a leak grows with the load, so it is far past this slack.
FD_SLACK = 4


@dataclass(frozen=True)
class Check:
    """One pass/fail line of the verdict."""

    name: str
    passed: bool
    detail: str

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'} {self.name}: {self.detail}"


def rss_growth(samples: list[Sample], warmup_s: float) -> tuple[float, float, float]:
    """(RSS just after warm-up, RSS over the last fifth of the run, growth as a fraction).

    Each end is the median of its window, so one reading taken mid-garbage-collection cannot
    decide the verdict.
    """
    after = [s for s in samples if s.t >= warmup_s]
    if len(after) < 2:
        raise ValueError(f"too few samples after the {warmup_s:g} s warm-up to judge memory")
    window = max(1, len(after) // 5)
    base = statistics.median(s.rss_bytes for s in after[:window])
    late = statistics.median(s.rss_bytes for s in after[-window:])
    return base, late, late / base - 1


def _rss(samples: list[Sample], warmup_s: float) -> Check:
    try:
        base, late, growth = rss_growth(samples, warmup_s)
    except ValueError as e:  # the run, or the server, ended too soon to tell
        return Check("rss", False, str(e))
    mib = 1024 * 1024
    return Check(
        "rss",
        growth <= RSS_GROWTH_LIMIT,
        f"{base / mib:.1f} MiB after warm-up, {late / mib:.1f} MiB at the end "
        f"({growth:+.1%}; limit +{RSS_GROWTH_LIMIT:.0%})",
    )


def _descriptors(samples: list[Sample], before: int | None, after: int | None) -> Check:
    if before is None or after is None:
        return Check("descriptors", False, "the server was gone before its idle count was taken")
    return Check(
        "descriptors",
        after <= before + FD_SLACK,
        f"{before} open when idle before the load, {after} after it "
        f"(peak {max((s.fds for s in samples), default=0)}; slack {FD_SLACK})",
    )


def judge(
    samples: list[Sample],
    warmup_s: float,
    fds_idle_before: int | None,
    fds_idle_after: int | None,
    server_errors: int,
    failures: int = 0,
) -> list[Check]:
    """The soak's checks: each passes or fails on its own.

    `failures` counts every request the load generator judged wrong, 5xx or not: a wrong body or
    a dropped connection is a failed soak too, and the server's log cannot see the latter.
    """
    return [
        _rss(samples, warmup_s),
        _descriptors(samples, fds_idle_before, fds_idle_after),
        Check("server errors", server_errors == 0, f"{server_errors} responses with a 5xx status"),
        Check(
            "request failures",
            failures == 0,
            f"{failures} requests failed (a wrong answer, a 5xx or no answer)",
        ),
    ]
