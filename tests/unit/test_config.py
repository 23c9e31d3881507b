"""Loading, validating and overriding the YAML config."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import pytest

from taskservice.config import Config, ConfigError, configure_logging, load, parse

REPO = Path(__file__).resolve().parents[2]


def test_missing_sections_get_defaults() -> None:
    config = parse({})
    assert config == Config()
    assert (config.host, config.port, config.max_body_bytes) == ("127.0.0.1", 8080, 65536)
    assert config.store_url == "sqlite:///data/tasks.db"
    assert config.shutdown_timeout_s == 10.0


def test_connection_limits_have_explicit_defaults() -> None:
    config = parse({})
    assert (config.header_timeout_s, config.idle_timeout_s, config.body_timeout_s) == (10, 60, 30)
    assert config.max_header_bytes == 16384


def test_connection_limits_are_read() -> None:
    server = {
        "header_timeout": 2,
        "idle_timeout": 5.5,
        "body_timeout": 7,
        "max_header_bytes": 4096,
    }
    config = parse({"server": server})
    assert (config.header_timeout_s, config.idle_timeout_s, config.body_timeout_s) == (2, 5.5, 7)
    assert config.max_header_bytes == 4096


def test_every_key_is_read() -> None:
    config = parse(
        {
            "service": {"name": "Todo"},
            "server": {"host": "0.0.0.0", "port": 9000, "max_body_bytes": 1024},
            "store": {"url": "memory://"},
            "logging": {"version": 1},
        }
    )
    assert (config.service_name, config.host, config.port) == ("Todo", "0.0.0.0", 9000)
    assert (config.max_body_bytes, config.store_url) == (1024, "memory://")
    assert config.logging == {"version": 1}


def test_admin_and_profiling_are_off_by_default() -> None:
    config = parse({})
    assert (config.admin_host, config.admin_port, config.admin_debug) == ("127.0.0.1", None, False)
    assert (config.profiling_yappi, config.profiling_clock, config.profiling_output) == (
        False,
        "wall",
        None,
    )


def test_admin_and_profiling_keys_are_read() -> None:
    config = parse(
        {
            "admin": {"host": "::1", "port": 8081, "debug": True},
            "profiling": {"yappi": True, "clock": "cpu", "output": "prof"},
        }
    )
    assert (config.admin_host, config.admin_port, config.admin_debug) == ("::1", 8081, True)
    assert (config.profiling_yappi, config.profiling_clock, config.profiling_output) == (
        True,
        "cpu",
        "prof",
    )


def test_a_key_whose_default_is_none_may_be_left_empty_in_yaml(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("admin:\n  port:\nprofiling:\n  output: null\n")  # both read as None
    config = load(str(path))
    assert (config.admin_port, config.profiling_output) == (None, None)
    with pytest.raises(ConfigError, match=r"admin\.debug: expected true or false, got None"):
        parse({"admin": {"debug": None}})  # a key with a real default still needs a value


def test_admin_port_may_equal_the_public_one_only_when_both_pick_a_free_port() -> None:
    assert parse({"server": {"port": 0}, "admin": {"port": 0}}).admin_port == 0


def test_whole_number_timeout_is_accepted_as_float() -> None:
    assert parse({"server": {"shutdown_timeout": 3}}).shutdown_timeout_s == 3.0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "config: expected a mapping at the top level"),
        ({"sever": {}}, "sever: unknown key"),
        ({"server": {"prot": 1}}, "server.prot: unknown key"),
        ({"server": []}, "server: expected a mapping"),
        ({"server": {"port": "8080"}}, "server.port: expected an integer"),
        ({"server": {"port": 70000}}, "server.port: expected an integer from 0 to 65535"),
        ({"server": {"port": True}}, "server.port: expected an integer"),
        ({"server": {"max_body_bytes": 0}}, "server.max_body_bytes: expected 1 to"),
        ({"server": {"shutdown_timeout": -1}}, "server.shutdown_timeout: expected 0 to 3600"),
        ({"server": {"header_timeout": 0}}, "server.header_timeout: expected 0 to 3600"),
        ({"server": {"idle_timeout": "1m"}}, "server.idle_timeout: expected 0 to 3600"),
        ({"server": {"body_timeout": 4000}}, "server.body_timeout: expected 0 to 3600"),
        ({"server": {"max_header_bytes": 100}}, "server.max_header_bytes: expected 1024 to"),
        ({"server": {"max_header_bytes": 1.5}}, "server.max_header_bytes: expected 1024 to"),
        ({"service": {"name": ""}}, "service.name: expected a non-empty string"),
        ({"store": {"url": "mysql://x"}}, "store.url: unsupported store URL"),
        ({"logging": "verbose"}, "logging: expected a logging.config.dictConfig mapping"),
        ({"admin": {"prot": 1}}, "admin.prot: unknown key"),
        ({"admin": {"host": " "}}, "admin.host: expected a host name or address"),
        ({"admin": {"port": "8081"}}, "admin.port: expected an integer from 0 to 65535"),
        ({"admin": {"port": 70000}}, "admin.port: expected an integer from 0 to 65535"),
        ({"admin": {"port": True}}, "admin.port: expected an integer"),
        ({"admin": {"port": 1, "debug": "yes"}}, "admin.debug: expected true or false"),
        ({"admin": {"debug": True}}, "admin.debug: needs admin.port"),
        (
            {"server": {"port": 9000}, "admin": {"port": 9000}},
            r"admin.port: must differ .*\(9000\)",
        ),
        ({"profiling": {"yappi": 1}}, "profiling.yappi: expected true or false"),
        ({"profiling": {"clock": "both"}}, "profiling.clock: expected wall or cpu"),
        ({"profiling": {"output": ""}}, "profiling.output: expected a folder name"),
        ({"profiling": {"output": 5}}, "profiling.output: expected a folder name"),
        ({"profiling": []}, "profiling: expected a mapping"),
    ],
)
def test_bad_value_error_names_the_key(data: object, message: str) -> None:
    with pytest.raises(ConfigError, match="^" + message):
        parse(data)


def test_overrides_replace_values_and_are_validated() -> None:
    config = Config().with_overrides(port=9999, store_url="memory://", host=None, debug=True)
    assert (config.port, config.store_url, config.host, config.debug) == (
        9999,
        "memory://",
        "127.0.0.1",
        True,
    )
    with pytest.raises(ConfigError, match=r"store\.url"):
        Config().with_overrides(store_url="nope://")


def test_load_reads_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("server:\n  port: 1234\n")
    assert load(path).port == 1234


def test_load_empty_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    assert load(path) == Config()


def test_load_missing_file_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file") as err:
        load(tmp_path / "absent.yaml")
    assert "\n" not in str(err.value)


def test_load_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("server:\n  port: [1,\n")
    with pytest.raises(ConfigError, match="invalid YAML at line"):
        load(path)


def test_load_non_utf8_file_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b'service:\n  name: "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load(path)


def test_empty_section_means_defaults() -> None:
    assert parse({"server": None, "store": None}) == Config()


def test_debug_config_serves_the_debug_endpoints_on_loopback_only() -> None:
    config = load(REPO / "configs" / "todoList-debug.yaml")
    assert config.admin_debug
    assert config.admin_port is not None
    assert config.admin_host == "127.0.0.1"
    assert config.admin_port != config.port


@pytest.mark.parametrize("name", ["todoList-local.yaml"])
def test_shipped_config_applies_with_rotating_bounded_files(name: str, tmp_path: Path) -> None:
    config = load(REPO / "configs" / name)
    handlers = config.logging["handlers"]
    file_handlers = [h for h in handlers.values() if "filename" in h]
    assert file_handlers, "the shipped config writes a log file"
    for spec in file_handlers:
        assert spec["class"] == "taskservice.utils.logfile.RotatingFile"
        assert spec["maxBytes"] > 0
        spec["filename"] = str(tmp_path / "app.log")  # do not touch the real log here
    configure_logging(config)
    applied = logging.getLogger("taskservice").handlers
    assert len(applied) == 1, "the handlers sit behind the log queue"
    (route,) = applied
    assert any(isinstance(h, logging.handlers.RotatingFileHandler) for h in route.targets)  # type: ignore[attr-defined]
    configure_logging(Config())


def test_local_config_keeps_the_tutorial_logging_layout() -> None:
    handlers = load(REPO / "configs" / "todoList-local.yaml").logging["handlers"]
    assert (handlers["console"]["level"], handlers["console"]["formatter"]) == ("INFO", "brief")
    assert (handlers["file"]["level"], handlers["file"]["formatter"]) == ("DEBUG", "detailed")


def test_bad_logging_config_is_a_config_error(tmp_path: Path) -> None:
    bad = {
        "version": 1,
        "handlers": {"f": {"class": "logging.FileHandler", "filename": str(tmp_path / "no/x")}},
    }
    with pytest.raises(ConfigError, match=r"^logging: Unable to configure handler 'f'") as err:
        configure_logging(Config(logging=bad))
    assert "\n" not in str(err.value)


def test_good_logging_config_is_applied() -> None:
    cfg = {"version": 1, "disable_existing_loggers": False, "loggers": {"x.y": {"level": "ERROR"}}}
    configure_logging(Config(logging=cfg))
    assert logging.getLogger("x.y").level == logging.ERROR
