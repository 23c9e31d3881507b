"""Metrics: the service's Prometheus metrics, for one process or for several workers.

With several worker processes (`--workers N`), the supervisor sets PROMETHEUS_MULTIPROC_DIR
before any worker starts: prometheus_client then keeps each worker's values in files there, and
whichever worker answers /metrics adds them all up. Without it, values live in this process.
"""

from __future__ import annotations

import os
from typing import Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
# Seconds. A loopback GET takes about a millisecond; a durable POST waits for an fsync.
REQUEST_BUCKETS: Final = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
STORE_BUCKETS: Final = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1)
LAG_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
# A client may send any token as its method (Tornado answers 405): each would be new series.
METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
OTHER_METHOD: Final = "OTHER"


def multiprocess_dir() -> str | None:
    """The folder shared by the worker processes' metric files, when there are workers."""
    return os.environ.get(MULTIPROC_ENV) or None


class Metrics:
    """The service's metrics, in a registry of its own (so tests can make many)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "taskservice_requests",
            "Requests answered, by route template, method and status.",
            ("route", "method", "status"),
            registry=r,
        )
        self.request_seconds = Histogram(
            "taskservice_request_duration_seconds",
            "Time from the request's first byte to its answer, by route, method and status.",
            ("route", "method", "status"),
            buckets=REQUEST_BUCKETS,
            registry=r,
        )
        # livesum: a worker that dies takes its in-flight count with it.
        self.in_flight = Gauge(
            "taskservice_requests_in_flight",
            "Requests in progress: from the head read to the answer, the body's upload included.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.store_seconds = Histogram(
            "taskservice_store_operation_duration_seconds",
            "Time a store call took, as the request waited for it, by operation and outcome.",
            ("operation", "outcome"),
            buckets=STORE_BUCKETS,
            registry=r,
        )
        self.loop_lag = Histogram(
            "taskservice_event_loop_lag_seconds",
            "How late a 100 ms timer on the event loop fired: time the loop was busy or blocked.",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.loop_lag_max = Gauge(
            "taskservice_event_loop_lag_last_seconds",
            "The latest event-loop lag sample (with workers: the largest over live workers).",
            registry=r,
            multiprocess_mode="livemax",
        )
        # The labelled children, looked up once: .labels() takes a lock and builds a tuple.
        self._answered: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._ops: dict[tuple[str, bool], Histogram] = {}

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request and its latency (a method not in METHODS as OTHER)."""
        if method not in METHODS:
            method = OTHER_METHOD
        key = (route, method, status)
        children = self._answered.get(key)
        if children is None:
            labels = (route, method, str(status))
            children = (self.requests.labels(*labels), self.request_seconds.labels(*labels))
            self._answered[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def observe_store(self, operation: str, seconds: float, ok: bool) -> None:
        """Record one store call's latency (a TimedStore observer)."""
        child = self._ops.get((operation, ok))
        if child is None:
            child = self.store_seconds.labels(operation, "ok" if ok else "error")
            self._ops[(operation, ok)] = child
        child.observe(seconds)

    def observe_lag(self, seconds: float) -> None:
        """Record one event-loop lag sample (a LoopMonitor observer)."""
        self.loop_lag.observe(seconds)
        self.loop_lag_max.set(seconds)

    def render(self) -> bytes:
        """Every metric in Prometheus's text format; with workers, all of theirs together."""
        folder = multiprocess_dir()
        if folder is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, folder)
        return generate_latest(registry)
