"""A server that cannot start says why in one line on stderr and exits 2, never a traceback."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from bench.load.service import free_port
from tests.support.server import run_server


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    ("yaml_text", "fragments"),
    [
        ("server:\n  prot: 80\n", ("config error", "server.prot: unknown key")),
        ("server:\n  port: eighty\n", ("config error", "server.port: expected an integer")),
        ("store:\n  url: redis://x\n", ("config error", "store.url: unsupported store URL")),
        ("server: [\n", ("config error", "invalid YAML at line")),
        (
            "logging:\n  version: 1\n  handlers:\n    f:\n      class: logging.FileHandler\n"
            "      filename: /nonexistent-dir/x.log\n",
            ("config error", "logging: Unable to configure handler 'f'"),
        ),
    ],
)
def test_bad_config_exits_2_naming_the_key(
    tmp_path: Path, yaml_text: str, fragments: tuple[str, ...]
) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(yaml_text)
    result = run_server(tmp_path, "--config", str(config), "--port", str(free_port()))
    assert_one_line_error(result, *fragments)


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    result = run_server(tmp_path, "--config", str(tmp_path / "absent.yaml"))
    assert_one_line_error(result, "cannot read config file")


def test_bad_store_flag_exits_2_naming_the_flag(tmp_path: Path) -> None:
    result = run_server(tmp_path, "--store", "sqlite://host/x.db", "--port", str(free_port()))
    assert_one_line_error(result, "config error", "--store:")


def test_bad_port_flag_exits_2_naming_the_flag(tmp_path: Path) -> None:
    result = run_server(tmp_path, "--port", "70000")
    assert_one_line_error(result, "--port: expected an integer from 0 to 65535")


def test_corrupt_database_exits_2(tmp_path: Path) -> None:
    db = tmp_path / "corrupt.db"
    db.write_bytes(b"definitely not sqlite " * 500)
    result = run_server(tmp_path, "--store", f"sqlite:///{db}", "--port", str(free_port()))
    assert_one_line_error(result, "cannot start", "cannot open sqlite store", "corrupt.db")


def test_port_in_use_exits_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_server(tmp_path, "--store", "memory://", "--port", str(port))
    assert_one_line_error(result, "cannot listen on 127.0.0.1:", "in use")
