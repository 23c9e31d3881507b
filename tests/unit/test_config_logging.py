"""server.log_queue and the shipped production config."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from taskservice.config import Config, ConfigError, configure_logging, load, parse
from taskservice.utils.logqueue import QueueRoute

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["yes", 1, 0, "true", [True]])
def test_log_queue_that_is_not_a_boolean_names_the_key(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^server\.log_queue: expected true or false, got "):
        parse({"server": {"log_queue": value}})


def test_log_queue_is_off_by_default_and_read_when_given() -> None:
    assert parse({}).log_queue is False
    assert parse({"server": {"log_queue": True}}).log_queue is True


def test_log_queue_moves_the_configured_handlers_behind_one_listener(tmp_path: Path) -> None:
    settings = {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"f": {"class": "logging.FileHandler", "filename": str(tmp_path / "a.log")}},
        "loggers": {"lqc.a": {"handlers": ["f"]}, "lqc.b": {"handlers": ["f"]}},
    }
    configure_logging(Config(logging=settings, log_queue=True))
    routes = [logging.getLogger(n).handlers for n in ("lqc.a", "lqc.b")]
    assert all(len(r) == 1 and isinstance(r[0], QueueRoute) for r in routes)
    first, second = (r[0] for r in routes)
    assert isinstance(first, QueueRoute)
    assert isinstance(second, QueueRoute)
    assert first.listener is second.listener
    logging.getLogger("lqc.a").warning("queued")
    configure_logging(Config())  # the next configuration stops the listener, writing the line
    assert first.listener.stopped
    assert (tmp_path / "a.log").read_text() == "queued\n"


@pytest.mark.parametrize("name", ["todoList-prod.yaml", "todoList-load.yaml"])
def test_prod_and_load_configs_log_info_to_a_rotating_file_through_the_queue(name: str) -> None:
    config = load(REPO / "configs" / name)
    assert config.log_queue is True
    assert config.store_url.startswith("sqlite:///")
    assert "synchronous" not in config.store_url  # durable: FULL, the default
    handlers = config.logging["handlers"]
    assert handlers["file"]["class"] == "taskservice.utils.logfile.RotatingFile"
    assert handlers["file"]["level"] == "INFO"
    assert handlers["file"]["maxBytes"] > 0
    assert config.logging["loggers"]["taskservice"]["level"] == "INFO"
    assert "file" in config.logging["root"]["handlers"]
    console = handlers.get("console")
    assert console is None or console["level"] == "ERROR"
    assert (name == "todoList-prod.yaml") == (console is None)
