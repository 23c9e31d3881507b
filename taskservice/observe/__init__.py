"""Watching the running service: Prometheus metrics and the event loop's lag."""

from taskservice.observe.looplag import LoopMonitor
from taskservice.observe.metrics import Metrics, multiprocess_dir

__all__ = ["LoopMonitor", "Metrics", "multiprocess_dir"]
