"""Latency histogram buckets: a tenth of a millisecond below 10 ms, then 2 significant digits."""

from __future__ import annotations


def bucket_ms(response_time: float) -> float:
    """The bucket a latency (ms) is counted in; the same shape as locust's, finer at the low end."""
    if response_time < 10:
        return round(response_time, 1)
    if response_time < 100:
        return float(round(response_time))
    digits = len(str(int(response_time))) - 2  # keep two significant digits, as locust does
    return float(round(response_time, -digits))
