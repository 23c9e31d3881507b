"""Finding PostgreSQL's server programs where Debian puts them, and a skip that names what is
missing, never a FileNotFoundError (PATH under cron or `env -i` lacks the sbin folders)."""

from __future__ import annotations

import pwd
from pathlib import Path

import pytest

from tests.support import pgcluster, postgres


def programs(folder: Path, *names: str) -> Path:
    """A folder holding executable stand-ins for `names`."""
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_text("#!/bin/sh\n")
        (folder / name).chmod(0o755)
    return folder


@pytest.fixture
def debian(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Debian's layout under tmp_path: 9.6 and 15 complete, 16 without pg_ctl; none on PATH."""
    for version, names in (("9.6", pgcluster.PROGRAMS), ("15", pgcluster.PROGRAMS)):
        programs(tmp_path / version / "bin", *names)
    programs(tmp_path / "16" / "bin", "initdb")
    monkeypatch.setattr("glob.glob", lambda pattern: [str(p) for p in tmp_path.glob("*/bin")])
    monkeypatch.setattr("shutil.which", lambda name: None)
    return tmp_path


def test_the_newest_complete_debian_version_is_found_off_path(debian: Path) -> None:
    assert pgcluster.find_binaries() == debian / "15" / "bin"  # 15 is newer than 9.6


def test_the_programs_on_path_come_first_through_their_links(
    debian: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = programs(tmp_path / "local", "initdb")
    (local / "pg_ctl").symlink_to(debian / "9.6" / "bin" / "pg_ctl")
    monkeypatch.setattr("shutil.which", lambda name: str(local / name))
    assert pgcluster.find_binaries() == debian / "9.6" / "bin"


def test_no_programs_anywhere_is_none_and_a_skip_naming_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("glob.glob", lambda pattern: [])
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(pgcluster.ENV, raising=False)
    assert pgcluster.find_binaries() is None
    for missing in (postgres.server_binaries_or_skip, postgres.server_dsn_or_skip):
        with pytest.raises(pytest.skip.Exception, match=r"\(initdb, pg_ctl\): apt-get install"):
            missing()
    with pytest.raises(pytest.skip.Exception, match="initdb, pg_ctl"), postgres.private_cluster():
        pass


def test_with_the_programs_but_no_server_the_skip_names_the_variable(
    debian: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv(pgcluster.ENV, "")
    with pytest.raises(pytest.skip.Exception, match=f"set {pgcluster.ENV}"):
        postgres.server_dsn_or_skip()


def test_as_root_without_a_postgres_user_the_skip_names_the_user(
    debian: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_such_user(name: str) -> pwd.struct_passwd:
        raise KeyError(name)

    monkeypatch.setattr("os.geteuid", lambda: 0)
    monkeypatch.setattr("pwd.getpwnam", no_such_user)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="a 'postgres' user to run as"):
        postgres.server_binaries_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="a 'postgres' user to run as"):
        postgres.server_binaries_or_skip()


def test_not_root_the_server_runs_as_us(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert pgcluster.server_user() is None


def test_a_program_that_cannot_run_is_a_cluster_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(pgcluster.ClusterError, match=r"^initdb: .*No such file"):
        pgcluster.Cluster(tmp_path, tmp_path / "nowhere").create()
    assert not (tmp_path / "pwfile").exists()  # the password is not left behind
