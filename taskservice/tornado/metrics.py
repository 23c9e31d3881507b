"""`GET /metrics` on the admin listener: the service's metrics in Prometheus's text format."""

from __future__ import annotations

from taskservice.observe.metrics import CONTENT_TYPE, Metrics
from taskservice.tornado.basehandler import BaseHandler


class MetricsHandler(BaseHandler):
    """Render every metric at scrape time; with workers, all of them added up."""

    ROUTE = "/metrics"

    def compute_etag(self) -> str | None:
        return None  # changes on every scrape: hashing it would be wasted work

    def get(self) -> None:
        # Not the app's "metrics" setting: that one would count the scrapes among the requests.
        metrics: Metrics = self.application.settings["exposed_metrics"]
        self.set_header("Content-Type", CONTENT_TYPE)
        self.finish(metrics.render())
