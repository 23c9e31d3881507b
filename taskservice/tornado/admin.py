"""make_admin_app: the admin listener's application, on its own port, never the public one."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

import tornado.web

from taskservice.config import Config
from taskservice.observe.metrics import Metrics
from taskservice.profiling import YappiSession
from taskservice.service import TodoListService
from taskservice.tornado.app import NotFoundHandler, log_request
from taskservice.tornado.application import ServiceApplication
from taskservice.tornado.debug import ProfileHandler, TasksHandler
from taskservice.tornado.inflight import InFlight
from taskservice.tornado.metrics import MetricsHandler
from taskservice.utils.logutils import log_event


class AdminNotFoundHandler(NotFoundHandler):
    """Every admin path that no route matches: a JSON 404."""

    ROUTE = "(admin unmatched)"


def make_admin_app(
    config: Config,
    service: TodoListService,
    session: YappiSession | None = None,
    metrics: Metrics | None = None,
) -> tornado.web.Application:
    """The admin application: /metrics when given metrics, the debug endpoints when admin.debug
    is on, and JSON 404s for the rest.

    Each route is a (path, handler) pair in the list below, so later endpoints add one line.
    """
    args: dict[str, Any] = {
        "service": service,
        "config": config,
        "logger": logging.getLogger("taskservice"),
    }
    routes: list[tuple[str, type[tornado.web.RequestHandler]]] = []
    if metrics is not None:
        routes.append((r"/metrics", MetricsHandler))
    if config.admin_debug:
        routes += [(r"/debug/profile", ProfileHandler), (r"/debug/tasks", TasksHandler)]
    return ServiceApplication(
        [tornado.web.url(path, handler, args) for path, handler in routes],
        default_handler_class=AdminNotFoundHandler,
        default_handler_args=args,
        log_function=log_request,
        tag_routes=config.admin_debug,
        max_body_bytes=config.max_body_bytes,
        inflight=InFlight(),
        yappi_session=session or YappiSession(),
        exposed_metrics=metrics,
    )


def is_loopback(host: str) -> bool:
    """Whether a host name or address reaches only this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # another host name: it may resolve anywhere


def warn_if_exposed(config: Config) -> None:
    """Log a WARNING when the debug endpoints listen on an address other machines can reach."""
    if config.admin_debug and not is_loopback(config.admin_host):
        why = "the debug endpoints answer anyone who can reach this address"
        logger = logging.getLogger("taskservice")
        log_event(
            logger,
            logging.WARNING,
            "ADMIN_DEBUG_EXPOSED",
            {},
            admin_host=config.admin_host,
            why=why,
        )
