"""The event loop choice: asyncio's own by default, uvloop on request, a clear error without it."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path
from types import ModuleType

import pytest

from taskservice.config import ConfigError
from taskservice.tornado.loops import LoopMissing, choose_loop, loop_factory
from taskservice.tornado.server import build_config, main, parse_args


def test_asyncio_uses_asyncios_default_loop() -> None:
    assert loop_factory("asyncio") is None
    assert build_config(parse_args([])).loop == "auto"


def test_auto_runs_llhttp_on_uvloop_and_tornados_server_on_asyncio() -> None:
    assert choose_loop("auto", "llhttp") == ("uvloop", None)
    assert choose_loop("auto", "tornado") == ("asyncio", None)
    assert choose_loop("asyncio", "llhttp") == ("asyncio", None)


@pytest.fixture
def without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvloop cannot be imported, as on a machine without it."""
    real = importlib.import_module

    def importer(name: str, package: str | None = None) -> ModuleType:
        if name == "uvloop":
            raise ImportError("No module named 'uvloop'")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", importer)


@pytest.mark.usefixtures("without_uvloop")
def test_auto_without_uvloop_falls_back_to_asyncio_and_says_so() -> None:
    name, note = choose_loop("auto", "llhttp")
    assert name == "asyncio"
    assert note == "uvloop is not installed: the llhttp transport runs on asyncio's loop"


def test_uvloop_makes_uvloop_loops() -> None:
    factory = loop_factory("uvloop")
    assert factory is not None
    loop = factory()
    try:
        assert type(loop).__module__.startswith("uvloop")
        assert loop.run_until_complete(asyncio.sleep(0, result=42)) == 42
    finally:
        loop.close()


@pytest.mark.usefixtures("without_uvloop")
def test_uvloop_missing_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(LoopMissing, match="uvloop is not installed"):
        loop_factory("uvloop")
    assert main(["--loop", "uvloop", "--store", "memory://", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err == "taskservice: cannot start: uvloop is not installed (pip install uvloop)\n"


def test_the_loop_flag_overrides_the_config(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("server:\n  loop: uvloop\n")
    assert build_config(parse_args(["--config", str(path)])).loop == "uvloop"
    assert build_config(parse_args(["--config", str(path), "--loop", "asyncio"])).loop == "asyncio"


def test_an_unknown_loop_in_the_config_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("server:\n  loop: tokio\n")
    expected = r"^server\.loop: expected auto, asyncio or uvloop, got 'tokio'"
    with pytest.raises(ConfigError, match=expected):
        build_config(parse_args(["--config", str(path)]))
