"""The admin and profiling flags override the config file; errors name what the user typed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from taskservice.config import Config, ConfigError
from taskservice.tornado.admin import is_loopback, warn_if_exposed
from taskservice.tornado.server import build_config, parse_args


def config_from(*argv: str) -> Config:
    return build_config(parse_args(list(argv)))


def test_admin_and_yappi_flags_override_the_defaults() -> None:
    config = config_from(
        "--admin-port",
        "0",
        "--admin-debug",
        "--yappi",
        "--yappi-clock",
        "cpu",
        "--yappi-output",
        "out",
    )
    assert (config.admin_port, config.admin_debug) == (0, True)
    assert (config.profiling_yappi, config.profiling_clock, config.profiling_output) == (
        True,
        "cpu",
        "out",
    )


def test_flags_left_out_keep_the_config_files_values(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("admin:\n  port: 9001\n  debug: true\nprofiling:\n  clock: cpu\n")
    config = config_from("--config", str(path))
    assert (config.admin_port, config.admin_debug, config.profiling_clock) == (9001, True, "cpu")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--admin-debug"], "^--admin-debug: needs admin.port"),
        (["--port", "9000", "--admin-port", "9000"], "^--admin-port: must differ from server.port"),
        (["--admin-port", "70000"], "^--admin-port: expected an integer from 0 to 65535"),
        (["--yappi", "--yappi-output", " "], "^--yappi-output: expected a folder name"),
    ],
)
def test_bad_flag_errors_name_the_flag(argv: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from(*argv)


def test_an_error_from_the_config_file_names_the_key_not_a_flag(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("admin:\n  debug: true\n")
    with pytest.raises(ConfigError, match=r"^admin\.debug: needs admin\.port"):
        config_from("--config", str(path))


def test_an_unknown_clock_is_refused_by_the_command_line() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--yappi-clock", "gpu"])


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
        ("::", False),
        ("admin.example", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_debug_endpoints_on_a_reachable_address_log_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="taskservice"):
        warn_if_exposed(Config(admin_host="0.0.0.0", admin_port=9001, admin_debug=True))
        warn_if_exposed(Config(admin_host="127.0.0.1", admin_port=9001, admin_debug=True))
        warn_if_exposed(Config(admin_host="0.0.0.0", admin_port=9001, admin_debug=False))
    assert len(caplog.records) == 1
    assert "message=ADMIN_DEBUG_EXPOSED admin_host=0.0.0.0" in caplog.records[0].getMessage()
