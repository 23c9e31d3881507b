"""The service on a PostgreSQL store, as a real server process: start-up errors, the tutorial's
CRUD, text PostgreSQL cannot store, and an outage of the database server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.load.service import free_port
from tests.e2e.conftest import StartServer
from tests.e2e.test_startup_errors import assert_one_line_error
from tests.e2e.test_store_trouble import assert_unavailable
from tests.support.pgcluster import Cluster
from tests.support.postgres import (
    fresh_database,
    private_cluster,
    server_dsn_or_skip,
)
from tests.support.server import ServerProcess, run_server, wait_until

PASSWORD = "hunter2-e2e"  # noqa: S105 -- made up; trust auth ignores it, messages must not show it


def with_password(dsn: str) -> tuple[str, str]:
    """The DSN and a password it logs in with, to look for where it must not be: its own, or,
    for a DSN without one (a cluster that trusts loopback, which ignores it), PASSWORD."""
    parts = urlsplit(dsn)
    if parts.password:
        return dsn, parts.password
    user = parts.username or "postgres"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{PASSWORD}@{host}")), PASSWORD


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A throwaway cluster whose superuser logs in with a password only (scram-sha-256)."""
    with private_cluster() as made:
        yield made


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    """A new, empty database on the test cluster (skipped locally without one)."""
    with fresh_database(server_dsn_or_skip()) as dsn:
        yield dsn


def test_malformed_postgresql_url_exits_2_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://app:{PASSWORD}@127.0.0.1:port/tasks"
    result = run_server(tmp_path, "--store", url, "--port", str(free_port()))
    assert_one_line_error(result, "config error", "--store:", "bad host or port", "app:***@")
    assert PASSWORD not in result.stderr


def test_unreachable_postgresql_server_exits_2_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://app:{PASSWORD}@127.0.0.1:{free_port()}/tasks"  # nothing listens there
    result = run_server(tmp_path, "--store", url, "--port", str(free_port()))
    assert_one_line_error(
        result, "cannot start", "cannot open postgresql store postgresql://app:***@127.0.0.1:",
        "connection refused",
    )  # fmt: skip
    assert PASSWORD not in result.stderr + result.stdout


def test_tutorial_crud_on_postgresql(start_server: StartServer, postgres_dsn: str) -> None:
    dsn, password = with_password(postgres_dsn)
    server = start_server("--store", dsn)
    created = server.request("POST", "/tasks", '{"title": "Task1", "due_date": 1.5}')
    assert created.status == 201
    location = created.headers["location"]
    got = server.request("GET", location)
    assert got.status == 200
    assert got.json() == {"title": "Task1", "priority": "none", "completed": False, "due_date": 1.5}
    assert got.headers["etag"] == '"v1"'
    task2 = {"title": "Task2", "description": "ü", "priority": "high", "completed": True}
    assert server.request("PUT", location, json.dumps(task2)).status == 204
    assert server.request("GET", location).json() == task2
    listed = server.request("GET", "/tasks")
    assert listed.json() == {location.rsplit("/", 1)[1]: task2}
    stale = server.request("PUT", location, '{"title": "lost"}', {"If-Match": '"v1"'})
    assert stale.status == 412
    assert server.request("DELETE", location).status == 204
    assert server.request("GET", location).status == 404
    assert server.stop() == 0
    # The start line names the store, and never its password.
    assert "store=postgresql://postgres:***@" in server.stdout + server.stderr
    assert password not in server.stdout + server.stderr


def test_nul_in_a_body_is_400_and_nothing_changes(
    start_server: StartServer, postgres_dsn: str
) -> None:
    server = start_server("--store", postgres_dsn)
    refused = server.request("POST", "/tasks", '{"title": "a\\u0000b"}')
    assert refused.status == 400
    assert refused.json()["code"] == 400
    assert refused.json()["message"].startswith("title: contains a NUL character")
    assert server.request("GET", "/tasks").json() == {}
    location = server.request("POST", "/tasks", '{"title": "kept"}').headers["location"]
    refused = server.request("PUT", location, '{"title": "t", "description": "\\u0000"}')
    assert refused.status == 400
    assert refused.json()["message"].startswith("description: contains a NUL character")
    kept = server.request("GET", location)
    assert kept.json() == {"title": "kept", "priority": "none", "completed": False}
    assert kept.headers["etag"] == '"v1"'
    assert server.stop() == 0


def test_database_outage_answers_503_and_service_resumes_when_it_is_back(
    start_server: StartServer, tmp_path: Path
) -> None:
    with private_cluster() as cluster:
        server = start_server("--store", cluster.dsn)
        location = server.request("POST", "/tasks", '{"title": "before"}').headers["location"]
        cluster.stop()
        assert_unavailable(server, "GET", location)
        assert_unavailable(server, "POST", "/tasks", '{"title": "during"}')
        assert_unavailable(server, "GET", "/tasks")
        cluster.start()
        assert wait_until(lambda: server.request("GET", location).status == 200)
        assert server.request("GET", location).json()["title"] == "before"
        assert server.request("POST", "/tasks", '{"title": "after"}').status == 201
        titles = [t["title"] for t in server.request("GET", "/tasks").json().values()]
        assert titles == ["before", "after"]
        assert server.stop() == 0
    assert cluster.password not in server.stdout + server.stderr
    # Each failed request is its one canonical line, with the cause; nothing else is logged
    # (no traceback of the driver's own on the console).
    lines = (server.stdout + server.stderr).splitlines()
    failed = [line for line in lines if "status=503" in line]
    assert len(failed) == 3
    assert all("postgresql store postgresql://postgres:***@127.0.0.1:" in line for line in failed)
    assert "connection refused" in failed[-1]  # the first may find its connection just closed
    assert all(line.startswith("20") for line in lines), lines


def password_free_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A server environment with no password in it: an empty HOME (asyncpg reads ~/.pgpass
    from $HOME) and no PG* variable (asyncpg reads no file once PGPASSWORD is set, even empty)."""
    for name in ("PGPASSWORD", "PGPASSFILE", "PGUSER", "PGHOST", "PGPORT", "PGDATABASE"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home)}


@pytest.mark.parametrize("way", ["PGPASSWORD", "passfile in the URL", "~/.pgpass"])
def test_password_kept_off_the_command_line_logs_in(
    cluster: Cluster, tmp_path: Path, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The three ways docs/operations.md gives to keep the password out of `--store` and `ps`."""
    url = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
    env = password_free_env(tmp_path, monkeypatch)
    home = Path(env["HOME"])
    line = f"127.0.0.1:{cluster.port}:*:postgres:{cluster.password}\n"
    if way == "PGPASSWORD":
        env["PGPASSWORD"] = cluster.password
    elif way == "passfile in the URL":
        passfile = tmp_path / "taskservice.pgpass"
        passfile.write_text(line)
        passfile.chmod(0o600)  # asyncpg, like libpq, ignores one others may read
        url += f"?passfile={passfile}"
    else:
        (home / ".pgpass").write_text(line)
        (home / ".pgpass").chmod(0o600)
    server = ServerProcess(tmp_path / "server", ["--store", url], env=env).start()
    try:
        assert server.request("POST", "/tasks", '{"title": "kept off"}').status == 201
        assert server.request("GET", "/tasks").status == 200
        assert server.stop() == 0
    finally:
        server.kill()
    assert cluster.password not in server.stdout + server.stderr


def test_no_password_anywhere_is_refused_at_start(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above: the cluster does ask for the password."""
    url = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
    env = password_free_env(tmp_path, monkeypatch)
    with pytest.raises(RuntimeError, match="server exited"):
        ServerProcess(tmp_path / "server", ["--store", url], env=env).start()
