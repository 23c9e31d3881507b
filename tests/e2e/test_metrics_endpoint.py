"""/metrics: served on the admin listener only, in Prometheus's text format, from live values."""

from __future__ import annotations

import http.client
import json
import socket
import time

from prometheus_client.parser import text_string_to_metric_families

from bench.load.service import free_port
from taskservice.ids import new_task_id
from taskservice.observe.looplag import INTERVAL_S
from tests.e2e.conftest import StartServer
from tests.support.server import ServerProcess, wait_in_flight
from tests.support.transport import method_status

LAG_COUNT = "taskservice_event_loop_lag_seconds_count"
LAG_SUM = "taskservice_event_loop_lag_seconds_sum"


def scrape(port: int) -> tuple[int, str, dict[tuple[str, frozenset[tuple[str, str]]], float]]:
    """GET /metrics: status, content type, and every sample by name and labels."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        r = conn.getresponse()
        body = r.read().decode()
    finally:
        conn.close()
    found = {}
    if r.status == 200:
        for family in text_string_to_metric_families(body):
            for s in family.samples:
                found[(s.name, frozenset(s.labels.items()))] = s.value
    return r.status, r.getheader("Content-Type") or "", found


def labels(**pairs: str) -> frozenset[tuple[str, str]]:
    return frozenset(pairs.items())


def start_with_admin(start_server: StartServer) -> tuple[ServerProcess, int]:
    admin = free_port()
    return start_server("--store", "memory://", "--admin-port", str(admin)), admin


def test_metrics_count_requests_by_route_and_status_on_the_admin_port(
    start_server: StartServer,
) -> None:
    server, admin = start_with_admin(start_server)
    location = server.request("POST", "/tasks", json.dumps({"title": "m"})).headers["location"]
    for _ in range(3):
        assert server.request("GET", location).status == 200
    assert server.request("GET", f"/tasks/{new_task_id()}").status == 404
    assert server.request("POST", "/tasks", "{not json").status == 400
    status, content_type, got = scrape(admin)
    assert status == 200
    assert content_type.startswith("text/plain; version=")
    one = "/tasks/{id}"
    total = "taskservice_requests_total"
    assert got[(total, labels(route=one, method="GET", status="200"))] == 3
    assert got[(total, labels(route=one, method="GET", status="404"))] == 1
    assert got[(total, labels(route="/tasks", method="POST", status="201"))] == 1
    assert got[(total, labels(route="/tasks", method="POST", status="400"))] == 1
    hist = "taskservice_request_duration_seconds_count"
    assert got[(hist, labels(route=one, method="GET", status="200"))] == 3
    ops = "taskservice_store_operation_duration_seconds_count"
    assert got[(ops, labels(operation="get", outcome="ok"))] == 4
    assert got[(ops, labels(operation="create", outcome="ok"))] == 1
    assert got[("taskservice_requests_in_flight", frozenset())] == 0


def test_loop_lag_is_sampled_about_ten_times_a_second(start_server: StartServer) -> None:
    _server, admin = start_with_admin(start_server)
    sent_first = time.monotonic()
    _, _, before = scrape(admin)
    got_first = time.monotonic()
    time.sleep(1.0)
    sent_second = time.monotonic()
    _, _, after = scrape(admin)
    got_second = time.monotonic()
    samples = after[(LAG_COUNT, frozenset())] - before[(LAG_COUNT, frozenset())]
    lag = after[(LAG_SUM, frozenset())] - before[(LAG_SUM, frozenset())]
    # Each sample comes 100 ms plus its lag after the one before, so together they span the time
    # between the scrapes, give or take one period: on a quiet machine about ten a second, on a
    # busy one fewer but each as late as the loop was. Bounds from the client's clock, since
    # the scrapes themselves may wait on a busy machine.
    assert 1 <= samples <= (got_second - sent_first) / INTERVAL_S + 1
    spanned = samples * INTERVAL_S + lag
    assert sent_second - got_first - 0.5 <= spanned <= got_second - sent_first + 0.5
    assert ("taskservice_event_loop_lag_last_seconds", frozenset()) in after


def test_the_public_port_has_no_metrics(start_server: StartServer) -> None:
    server, _ = start_with_admin(start_server)
    r = server.request("GET", "/metrics")
    assert r.status == 404
    assert r.json()["message"] == "no such endpoint: /metrics"


def test_scrapes_are_not_counted_among_the_requests(start_server: StartServer) -> None:
    _server, admin = start_with_admin(start_server)
    _, _, before = scrape(admin)
    for _ in range(3):
        scrape(admin)
    _, _, after = scrape(admin)
    counted = {k: v for k, v in after.items() if k[0] == "taskservice_requests_total"}
    assert counted == {k: v for k, v in before.items() if k[0] == "taskservice_requests_total"}
    assert not [k for k in counted if ("route", "/metrics") in k[1]]


def raw(port: int, data: bytes) -> socket.socket:
    """A connection that has sent `data` and is kept open."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(data)
    return sock


def test_made_up_methods_add_no_series(start_server: StartServer) -> None:
    server, admin = start_with_admin(start_server)
    # llhttp refuses a method it does not know before any handler: nothing to count at all.
    status = method_status(server.transport, "M0XYZ", 405)
    for i in range(25):
        with raw(server.port, f"M{i}XYZ /tasks HTTP/1.1\r\nHost: a\r\n\r\n".encode()) as sock:
            assert sock.recv(4096).startswith(b"HTTP/1.1 %d " % status)
    _, _, got = scrape(admin)
    total = "taskservice_requests_total"
    other = got.get((total, labels(route="/tasks", method="OTHER", status="405")))
    assert other == (25 if status == 405 else None)
    methods = {dict(k[1])["method"] for k in got if k[0] == total}
    assert methods <= {"GET", "OTHER"}  # GET: the start-up health checks


def test_a_request_being_handled_is_in_flight_until_answered(start_server: StartServer) -> None:
    server, admin = start_with_admin(start_server)
    # A chunked body streams: its handler runs while the body is still arriving.
    head = b"POST /tasks HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    body = b'{"title": "slow"}'
    with raw(server.port, head + b"1\r\n{\r\n") as sock:
        wait_in_flight(admin, 1)
        rest = body[1:]
        sock.sendall(f"{len(rest):x}\r\n".encode() + rest + b"\r\n0\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 201 ")
    # The handler's task ends just after it has written the answer.
    wait_in_flight(admin, 0)


def test_a_request_whose_body_is_still_arriving_is_in_flight(start_server: StartServer) -> None:
    server, admin = start_with_admin(start_server)
    # A declared length within the limit is read whole before the handler runs: in flight too.
    body = b'{"title": "slow"}'
    head = f"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: {len(body)}\r\n\r\n"
    with raw(server.port, head.encode() + body[:1]) as sock:
        wait_in_flight(admin, 1)
        sock.sendall(body[1:])
        assert sock.recv(4096).startswith(b"HTTP/1.1 201 ")
    wait_in_flight(admin, 0)
