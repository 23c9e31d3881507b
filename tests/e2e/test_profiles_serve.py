"""`./run.py profiles [--serve]` as a user runs it: the index's path, serving, stopping, errors."""

from __future__ import annotations

import http.client
import json
import signal
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.load.service import stop_process
from tests.support.load import last_line, run_target
from tests.support.profiles_page import IndexPage, serve_profiles


def get(url: str, path: str) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    """A profiles folder with one small run: a picture, its stacks and run.json."""
    root = tmp_path / "profiles"
    run = root / "20261128-054000-profile-py-spy-crud"
    run.mkdir(parents=True)
    (run / "flame.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    (run / "flame.collapsed").write_text("main;handler 3\n")
    pictures = [{"title": "on-CPU", "svg": "flame.svg", "collapsed": "flame.collapsed"}]
    (run / "run.json").write_text(json.dumps({"kind": "profile", "pictures": pictures}))
    return root


def test_profiles_writes_the_index_and_prints_its_path_last(profiles: Path) -> None:
    done = run_target("profiles", "--profiles", str(profiles))

    assert done.returncode == 0, done.stderr
    assert last_line(done.stdout) == str(profiles / "index.html")
    rows = IndexPage((profiles / "index.html").read_text()).rows
    assert [r.folder for r in rows] == ["20261128-054000-profile-py-spy-crud"]


def test_profiles_fails_in_one_line_for_a_missing_folder(tmp_path: Path) -> None:
    done = run_target("profiles", "--profiles", str(tmp_path / "nowhere"))

    assert done.returncode == 2
    assert done.stderr.strip() == f"run.py profiles: no profiles folder at {tmp_path / 'nowhere'}"


def test_serve_fails_in_one_line_when_the_port_is_taken(profiles: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_target("profiles", "--serve", "--port", str(port), "--profiles", str(profiles))

    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("bad", ["-1", "65536", "http"])
def test_serve_rejects_a_port_that_is_not_one(profiles: Path, bad: str) -> None:
    done = run_target("profiles", "--serve", "--port", bad, "--profiles", str(profiles))

    assert done.returncode == 2
    assert "a port is a number from 0 to 65535" in done.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_on_loopback_then_stops_cleanly_on_a_signal(
    profiles: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    served = serve_profiles(profiles, tmp_path)
    try:
        assert served.url.startswith("http://127.0.0.1:")
        assert served.url.endswith("/index.html")
        assert get(served.url, "/index.html").status == 200
    finally:
        served.proc.send_signal(sig)
        code = served.proc.wait(timeout=10)
        stop_process(served.proc)

    assert code == 0
    assert last_line(served.stdout.read_text()) == "stopped"


def test_serve_gives_each_file_its_content_type(profiles: Path, tmp_path: Path) -> None:
    served = serve_profiles(profiles, tmp_path)
    run = "/20261128-054000-profile-py-spy-crud"
    try:
        types = {
            path: get(served.url, path).getheader("Content-Type")
            for path in ("/", f"{run}/flame.svg", f"{run}/run.json", f"{run}/flame.collapsed")
        }
    finally:
        stop_process(served.proc)

    assert types == {
        "/": "text/html; charset=utf-8",
        f"{run}/flame.svg": "image/svg+xml",
        f"{run}/run.json": "application/json",
        f"{run}/flame.collapsed": "text/plain; charset=utf-8",
    }


def test_served_index_is_regenerated_when_a_run_appears(profiles: Path, tmp_path: Path) -> None:
    served = serve_profiles(profiles, tmp_path)
    try:
        (profiles / "20261128-060000-crud-closed").mkdir()
        (profiles / "20261128-060000-crud-closed" / "summary.json").write_text("{}")
        page = get(served.url, "/index.html")
    finally:
        stop_process(served.proc)

    assert page.status == 200
    rows = IndexPage((profiles / "index.html").read_text()).rows
    assert rows[0].folder == "20261128-060000-crud-closed"


def test_serve_never_answers_with_files_outside_the_folder(profiles: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("not for the browser")
    served = serve_profiles(profiles, tmp_path)
    try:
        answers = [get(served.url, p).status for p in ("/../secret.txt", "/%2e%2e/secret.txt")]
    finally:
        stop_process(served.proc)

    assert answers == [404, 404]
