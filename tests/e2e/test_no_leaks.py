"""What a real server never gives away: tracebacks, file paths, debug endpoints, forged log
lines; and the nosniff header on every answer."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from tests.e2e.conftest import StartServer
from tests.support.hostile import CORPUS
from tests.support.logfmt_parser import parse_logfmt
from tests.support.server import REPO, Response, ServerProcess
from tests.support.transport import method_status

LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} taskservice [A-Z]+ : (.*)")
PROBES = [
    "/debug",
    "/debug/",
    "/debug/pprof/",
    "/debug/pprof/profile",
    "/debug/vars",
    "/metrics",
    "/admin",
    "/profile",
    "/_profile",
    "/__debug__",
    "/stats",
    "/server-status",
    "/yappi",
    "/.env",
    "/openapi.yaml",
    "/tasks/../debug",
]


def everything(response: Response) -> str:
    """The status line, headers and body of an answer, as one text to search."""
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return f"{response.status} {response.reason}\n{headers}\n\n" + response.body.decode(
        "utf-8", "replace"
    )


def leaks(text: str, workdir: Path) -> list[str]:
    """Signs of internals in an answer: a traceback, a source file, a path on this machine."""
    signs = ["Traceback", 'File "', ".py", "site-packages", str(REPO), str(workdir)]
    return [sign for sign in signs if sign in text]


def send_corpus(server: ServerProcess) -> list[Response]:
    task = server.request("POST", "/tasks", '{"title": "t"}').headers["location"]
    answers = []
    for case in CORPUS:
        path = case.path.replace("{task}", task)
        answers.append(server.request(case.method, path, case.body, case.headers))
    return answers


def test_no_answer_carries_a_traceback_or_a_path_without_debug(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server("--store", "sqlite:///tasks.db")
    answers = send_corpus(server)
    answers += [server.request("GET", path) for path in ("/tasks", "/healthz", "/openapi.json")]
    found = {everything(a)[:80]: leaks(everything(a), tmp_path) for a in answers}
    assert {k: v for k, v in found.items() if v} == {}
    assert server.stop() == 0


def test_debug_mode_does_show_traces_so_the_check_above_can_see_them(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server("--store", "memory://", "--debug")
    answer = server.request("POST", "/tasks", "{")
    assert answer.status == 400
    assert "Traceback" in leaks(everything(answer), tmp_path)
    assert server.stop() == 0


@pytest.mark.parametrize("debug", [False, True], ids=["default", "debug"])
def test_debug_and_profiling_endpoints_are_absent(start_server: StartServer, debug: bool) -> None:
    server = start_server("--store", "memory://", *(["--debug"] if debug else []))
    for path in PROBES:
        for method in ("GET", "POST"):
            answer = server.request(method, path, b"{}" if method == "POST" else None)
            assert answer.status == 404, (method, path, answer.status)
            assert answer.json()["code"] == 404
    assert server.stop() == 0


def test_every_kind_of_answer_carries_nosniff(start_server: StartServer) -> None:
    server = start_server("--store", "memory://")
    task = server.request("POST", "/tasks", '{"title": "t"}')
    path = task.headers["location"]
    etag = server.request("GET", path).headers["etag"]
    answers = [
        task,
        server.request("GET", "/tasks"),
        server.request("GET", path, headers={"If-None-Match": etag}),
        server.request("PUT", path, '{"title": "u"}', {"If-Match": etag}),
        server.request("PUT", path, '{"title": "v"}', {"If-Match": etag}),
        server.request("GET", "/nowhere"),
        server.request("BREW", "/tasks"),
        server.request("HEAD", "/healthz"),
        server.request("GET", "/openapi.json"),
        server.request("DELETE", path),
    ]
    brew = method_status(server.transport, "BREW", 405)
    assert [a.status for a in answers] == [201, 200, 304, 204, 412, 404, brew, 200, 200, 204]
    assert all(a.headers.get("x-content-type-options") == "nosniff" for a in answers)
    assert all("server" not in a.headers for a in answers)
    assert server.stop() == 0


# Values a client controls, each trying to end the log line and start a forged one.
FORGED = "x\nINJECTED=1 message=RESPONSE status=200"
LINE_BREAKERS = [
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
]


def raw_request(server: ServerProcess, request_line: bytes, body: bytes = b"") -> bytes:
    """Send bytes a well-behaved client library would refuse to send; the status line back."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = request_line + b"\r\nHost: a\r\nConnection: close\r\n"
        sock.sendall(head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def test_no_user_value_can_start_a_new_log_line(start_server: StartServer) -> None:
    server = start_server("--store", "memory://")
    sent = raw_logged = 0
    for breaker in LINE_BREAKERS:
        forged = f"x{breaker}INJECTED=1 message=RESPONSE status=200"
        # A field name is echoed in the error message, which the log line carries.
        body = json.dumps({"title": "t", forged: 1}, ensure_ascii=False).encode()
        assert server.request("POST", "/tasks", body).status == 400
        # An unknown query parameter name is echoed too.
        query = "".join(f"%{b:02X}" for b in forged.encode())
        assert server.request("GET", f"/tasks?{query}=1").status == 400
        # The URI itself, as raw bytes in the request line (UTF-8 for the non-ASCII breakers).
        # Tornado refuses some control characters there with a bare 400 before any handler or
        # log line; those that reach the handler get a JSON 404 and a logged line.
        if breaker not in ("\n", "\r", "\r\n"):  # these end the request line in HTTP itself
            target = b"/tasks/" + forged.replace(" ", "_").encode()
            status = raw_request(server, b"GET " + target + b" HTTP/1.1")
            assert status in (b"HTTP/1.1 404 Not Found", b"HTTP/1.1 400 Bad Request")
            # llhttp refuses every such byte itself, and logs the refusal as a handler would.
            raw_logged += status.startswith(b"HTTP/1.1 404") or server.transport == "llhttp"
        sent += 2
    # An X-Request-ID is echoed into every line of its request when it is sane.
    assert server.request("GET", "/tasks", headers={"X-Request-ID": 'a" INJECTED=1'}).status == 200
    sent += 1
    assert server.stop() == 0

    lines = server.stdout.splitlines()  # splits on every breaker above, as log tools may
    assert lines
    for line in lines:
        match = LOG_LINE.fullmatch(line)
        assert match, f"a line that the logger did not start: {line!r}"
        keys = [key for key, _ in parse_logfmt(match.group(1))]
        assert "INJECTED" not in keys, line
        assert keys.count("message") == 1, line
    responses = [line for line in lines if "message=RESPONSE" in line]
    # On Tornado's server NEL, U+2028 and U+2029 reach the handler and the log.
    assert raw_logged == (8 if server.transport == "llhttp" else 3)
    assert len(responses) == sent + raw_logged + 1  # and the /healthz probe at start-up
