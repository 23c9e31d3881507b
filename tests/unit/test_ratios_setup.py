"""The ratios run's setup: config copies that log into the run folder, the production config,
getting wrk, the command line's defaults, and the seeded store."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.ratios import cli, configs, tools
from bench.ratios.seed import remove, seed
from bench.ratios.settings import Settings
from taskservice.config import load
from taskservice.store import make_store


def test_a_localized_config_logs_into_the_given_folder_and_keeps_everything_else(
    tmp_path: Path,
) -> None:
    copy = configs.localized(configs.LOCAL_CONFIG, tmp_path / "logs", tmp_path / "c.yaml")
    data = yaml.safe_load(copy.read_text())
    original = yaml.safe_load(configs.LOCAL_CONFIG.read_text())
    assert data["logging"]["handlers"]["file"]["filename"] == str(
        tmp_path / "logs" / "file-taskservice-app.log"
    )
    del data["logging"]["handlers"]["file"]["filename"]
    del original["logging"]["handlers"]["file"]["filename"]
    assert data == original
    load(copy)  # the service still accepts it


def test_a_config_without_log_files_is_copied_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "plain.yaml"
    source.write_text("server:\n  port: 8080\n")
    copy = configs.localized(source, tmp_path / "logs", tmp_path / "out" / "c.yaml")
    assert yaml.safe_load(copy.read_text()) == {"server": {"port": 8080}}


def test_the_production_config_falls_back_to_the_load_config_until_it_exists(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(configs, "PROD_CONFIG", tmp_path / "todoList-prod.yaml")
    assert configs.production_config() == configs.FALLBACK_CONFIG
    (tmp_path / "todoList-prod.yaml").write_text("{}\n")
    assert configs.production_config() == tmp_path / "todoList-prod.yaml"


def test_config_paths_are_shown_relative_to_the_repository(tmp_path: Path) -> None:
    assert configs.shown(configs.LOCAL_CONFIG) == "configs/todoList-local.yaml"
    assert configs.shown(tmp_path / "x.yaml") == str(tmp_path / "x.yaml")


def _which(*present: str) -> Any:
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_root_installs_wrk_with_apt_get_directly() -> None:
    cmd = tools.install_command(0, _which("apt-get"))
    assert cmd is not None
    assert cmd[0] == "env"
    assert "apt-get" in cmd


def test_others_install_wrk_through_sudo() -> None:
    cmd = tools.install_command(1000, _which("apt-get", "sudo"))
    assert cmd is not None
    assert cmd[0] == "sudo"


@pytest.mark.parametrize(
    ("euid", "which"),
    [(1000, _which("apt-get")), (0, _which()), (1000, _which("sudo"))],
    ids=["no-sudo", "no-apt-get", "no-apt-get-with-sudo"],
)
def test_without_root_or_sudo_or_apt_get_there_is_no_way_to_install(euid: int, which: Any) -> None:
    assert tools.install_command(euid, which) is None


def test_present_wrk_needs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", _which("wrk"))
    assert tools.ensure_wrk(say=pytest.fail) is None


def test_missing_wrk_without_a_way_to_install_says_how_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", _which())
    message = tools.ensure_wrk(say=pytest.fail)
    assert message == tools.HOW
    assert "\n" not in message
    assert "apt-get install wrk" in message


def test_missing_wrk_is_installed_saying_so_and_retried_after_an_update(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installed: list[str] = []
    calls: list[list[str]] = []

    def run(cmd: list[str], **_: object) -> subprocess.CompletedProcess[bytes]:
        calls.append(cmd)
        if cmd[-1] == "update":
            installed.append("lists")
        ok = cmd[-1] == "update" or bool(installed)  # the install works after an update
        if ok and cmd[-1] == "wrk":
            installed.append("wrk")
        return subprocess.CompletedProcess(cmd, 0 if ok else 100)

    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(
        shutil, "which", lambda n: None if n == "wrk" and "wrk" not in installed else n
    )
    said: list[str] = []
    assert tools.ensure_wrk(say=said.append) is None
    assert len(said) == 1
    assert "installing Debian's wrk package" in said[0]
    assert [c[-1] for c in calls] == ["wrk", "update", "wrk"]


def test_a_failed_install_says_so_and_how(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(subprocess, "run", lambda cmd, **_: subprocess.CompletedProcess(cmd, 100))
    monkeypatch.setattr(shutil, "which", lambda n: None if n == "wrk" else n)
    message = tools.ensure_wrk(say=lambda line: None)
    assert message is not None
    assert message.startswith("could not install wrk with apt-get")


def test_a_full_run_measures_seven_rounds_and_quick_three(tmp_path: Path) -> None:
    quick = cli.settings_from(cli.parse_args(["--out", str(tmp_path), "--quick"]))
    full = cli.settings_from(cli.parse_args(["--out", str(tmp_path)]))
    assert (quick.rounds, quick.duration_s, quick.warmup_s) == (3, 1, 1)
    assert (full.rounds, full.duration_s, full.warmup_s, full.seed_tasks) == (7, 1, 1, 20_000)
    assert full == Settings(pinning=full.pinning)  # the same defaults as Settings' own
    assert full.connections == 20
    assert full.prod_config == configs.production_config()


def test_flags_override_the_defaults(tmp_path: Path) -> None:
    args = ["--out", str(tmp_path), "--rounds", "5", "--duration", "2", "--warmup", "0",
            "--seed-tasks", "10", "--no-pin", "--quick"]  # fmt: skip
    settings = cli.settings_from(cli.parse_args(args))
    assert (settings.rounds, settings.duration_s, settings.warmup_s) == (5, 2, 0)
    assert settings.seed_tasks == 10
    assert settings.pinning is None
    assert settings.server_cores is None


@pytest.mark.parametrize("flag", ["--rounds=0", "--duration=0", "--warmup=-1", "--seed-tasks=0"])
def test_nonsense_counts_are_refused(flag: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        cli.parse_args(["--out", str(tmp_path), flag])


def test_a_missing_config_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["--out", str(tmp_path), "--config", str(tmp_path / "nope.yaml")])
    assert code == 2
    assert "no such config" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_selection_matching_no_scenario_measures_nothing(tmp_path: Path) -> None:
    assert cli.main(["--out", str(tmp_path), "-k", "test_loop_floor"]) == 0
    assert list(tmp_path.iterdir()) == []


def test_seeding_stores_tasks_the_store_gives_back_in_order(tmp_path: Path) -> None:
    ids = seed(tmp_path / "s" / "t.db", 1203)
    assert len(set(ids)) == 1203
    store = make_store(f"sqlite:///{tmp_path}/s/t.db")

    async def stored() -> list[str]:
        await store.open()
        try:
            return [task_id for task_id, _ in await store.list()]
        finally:
            await store.close()

    assert asyncio.run(stored()) == sorted(ids)
    remove(tmp_path / "s" / "t.db")
    assert list((tmp_path / "s").iterdir()) == []
