"""Canonical logging through the app: one REQUEST and one RESPONSE line each, request ids."""

from __future__ import annotations

import asyncio
import copy
import inspect
import io
import json
import logging
import tempfile
import weakref
from pathlib import Path

import tornado.iostream
import tornado.tcpclient
import tornado.testing

from taskservice.config import Config, configure_logging
from taskservice.config import load as load_config
from taskservice.datamodel import Task
from taskservice.store import MemoryStore, Store
from taskservice.tornado.basehandler import BaseHandler
from taskservice.utils.logutils import log_event
from tests.integration.support import AppTestCase
from tests.support.logfmt_parser import parse_logfmt
from tests.support.logs import ListHandler, captured

REPO = Path(__file__).resolve().parents[2]


def fields(line: str) -> dict[str, str]:
    return dict(parse_logfmt(line))


class _LoggingStore(MemoryStore):
    """Logs from inside the store, where no request object is in reach: only the context is."""

    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        log_event(logging.getLogger("taskservice"), logging.INFO, "STORE_LIST")
        return await super().list(after, limit)


class TestCanonicalLines(AppTestCase):
    def make_store(self) -> Store:
        return _LoggingStore()

    def logged(self, method: str, path: str, body: str | None = None) -> ListHandler:
        with captured() as logs:
            self.request(method, path, body)
        return logs

    def test_each_request_logs_one_debug_request_and_one_response_line(self) -> None:
        logs = self.logged("POST", "/tasks", '{"title": "Task1"}')
        assert [(r.levelname, fields(r.getMessage())["message"]) for r in logs.records] == [
            ("DEBUG", "REQUEST"),
            ("INFO", "RESPONSE"),
        ]
        request, response = (fields(r.getMessage()) for r in logs.records)
        assert request["req_id"] == response["req_id"]
        assert (response["method"], response["uri"], response["ip"]) == (
            "POST",
            "/tasks",
            "127.0.0.1",
        )
        assert response["status"] == "201"
        assert float(response["time_ms"]) >= 0

    def test_response_level_follows_the_status(self) -> None:
        cases = [("GET", "/tasks", 200, "INFO"), ("GET", "/nope", 404, "WARNING")]
        for method, path, status, level in cases:
            logs = self.logged(method, path)
            (line,) = [r for r in logs.records if "message=RESPONSE" in r.getMessage()]
            assert (line.levelname, fields(line.getMessage())["status"]) == (level, str(status))

    def test_4xx_line_names_the_error_without_a_trace(self) -> None:
        logs = self.logged("POST", "/tasks", '{"title": ""}')
        (line,) = logs.messages("RESPONSE")
        assert fields(line)["error"] == "title: must not be empty"
        assert "trace" not in fields(line)

    def test_hostile_uri_cannot_break_the_line(self) -> None:
        logs = self.logged("GET", '/tasks/"x"message=FAKE"=level=ERROR')
        (line,) = logs.messages("RESPONSE")
        assert "\n" not in line
        parsed = parse_logfmt(line)
        assert [k for k, _ in parsed].count("message") == 1
        assert fields(line)["uri"].startswith('/tasks/"x"')

    @tornado.testing.gen_test
    async def test_raw_utf8_in_the_path_is_logged_as_text(self) -> None:
        with captured() as logs:
            answer = await self.raw_exchange(b"GET /tasks/\xc3\xa9t\xc3\xa9 HTTP/1.0\r\n\r\n")
        # llhttp takes only ASCII in a request target (RFC 3986): the refusal is logged too.
        status = b"400" if self.http == "llhttp" else b"404"
        assert answer.startswith(b"HTTP/1.1 " + status + b" ")
        (line,) = logs.messages("RESPONSE")
        assert dict(parse_logfmt(line))["uri"] == "/tasks/été"

    def test_service_logs_inside_a_request_carry_its_request_id(self) -> None:
        logs = self.logged("GET", "/tasks", None)
        req_id = fields(logs.messages("RESPONSE")[0])["req_id"]
        assert any(fields(line).get("req_id") == req_id for line in logs.messages("STORE_LIST"))


class TestServerErrorLogging(AppTestCase):
    def make_store(self) -> Store:
        class Broken(MemoryStore):
            async def list(
                self, after: str | None = None, limit: int | None = None
            ) -> list[tuple[str, Task]]:
                raise ZeroDivisionError("division by zero in the store")

        return Broken()

    def test_5xx_logs_error_with_the_traceback_on_one_line(self) -> None:
        with captured() as logs:
            self.request("GET", "/tasks")
        (record,) = [r for r in logs.records if "message=RESPONSE" in r.getMessage()]
        assert record.levelname == "ERROR"
        line = record.getMessage()
        assert "\n" not in line
        parsed = fields(line)
        assert parsed["status"] == "500"
        assert parsed["error"] == "Internal Server Error"
        assert parsed["trace"].startswith("Traceback (most recent call last):\n")
        assert "ZeroDivisionError: division by zero in the store" in parsed["trace"]

    def test_tornado_does_not_log_the_exception_again(self) -> None:
        with captured("tornado", logging.DEBUG) as tornado_logs:
            self.request("GET", "/tasks")
        assert tornado_logs.records == []


class TestRequestIds(AppTestCase):
    def test_sane_request_id_is_kept_and_echoed(self) -> None:
        with captured() as logs:
            response = self.request("GET", "/tasks", headers={"X-Request-ID": "abc-123 / retry"})
        assert response.headers["X-Request-ID"] == "abc-123 / retry"
        assert fields(logs.messages("RESPONSE")[0])["req_id"] == "abc-123 / retry"

    def test_missing_request_id_is_generated(self) -> None:
        first = self.request("GET", "/tasks").headers["X-Request-ID"]
        second = self.request("GET", "/tasks").headers["X-Request-ID"]
        assert len(first) == 32
        assert first != second

    def test_insane_request_id_is_refused_with_400_under_a_new_id(self) -> None:
        for bad in ("x" * 129, "r" * 500, "tab\there", "ünïcode", ""):
            response = self.request("GET", "/tasks", headers={"X-Request-ID": bad})
            assert response.code == 400
            assert json.loads(response.body)["message"] == (
                "X-Request-ID: must be 1 to 128 printable characters"
            )
            assert response.headers["X-Request-ID"] != bad
            assert len(response.headers["X-Request-ID"]) == 32

    def test_error_responses_echo_the_request_id(self) -> None:
        response = self.request("POST", "/tasks", "{", headers={"X-Request-ID": "req-42"})
        assert response.code == 400
        assert response.headers["X-Request-ID"] == "req-42"


class _GatedStore(MemoryStore):
    """Its list() waits until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def list(
        self, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, Task]]:
        self.entered.set()
        await self.gate.wait()
        return await super().list(after, limit)


class TestClientGoneAway(AppTestCase):
    def make_store(self) -> Store:
        self.gated = _GatedStore()
        return self.gated

    @tornado.testing.gen_test
    async def test_client_closing_mid_request_logs_499_and_leaves_nothing_in_flight(
        self,
    ) -> None:
        stream = await tornado.tcpclient.TCPClient().connect("127.0.0.1", self.get_http_port())
        with captured() as logs:
            await stream.write(b"GET /tasks HTTP/1.1\r\nHost: x\r\n\r\n")
            await self.gated.entered.wait()
            assert self.inflight.count == 1
            stream.close()
            for _ in range(100):
                if logs.messages("RESPONSE"):
                    break
                await asyncio.sleep(0.01)
            self.gated.gate.set()
            await asyncio.sleep(0.05)
        (line,) = logs.messages("RESPONSE")
        assert (fields(line)["status"], fields(line)["error"]) == (
            "499",
            "client closed the connection",
        )
        assert self.inflight.count == 0


class TestLocalConfig(AppTestCase):
    """The tutorial's local config, its file in a scratch folder and its console in a buffer."""

    log_queue = False

    def setUp(self) -> None:
        super().setUp()
        self.folder = tempfile.TemporaryDirectory()
        self.log_file = Path(self.folder.name) / "app.log"
        self.console = io.StringIO()
        settings = load_config(REPO / "configs" / "todoList-local.yaml").logging
        settings = copy.deepcopy(settings)
        settings["handlers"]["file"]["filename"] = str(self.log_file)
        settings["handlers"]["console"]["stream"] = self.console
        configure_logging(Config(logging=settings, log_queue=self.log_queue))

    def tearDown(self) -> None:
        configure_logging(Config())  # closes the file, and stops the queue's listener
        self.folder.cleanup()
        super().tearDown()

    def test_one_request_makes_three_emissions_with_truthful_callers(self) -> None:
        req_id = self.request("GET", "/tasks").headers["X-Request-ID"]
        logging.shutdown([weakref.ref(h) for h in logging.getLogger("taskservice").handlers])
        lines = [fields(line) for line in self.log_file.read_text().splitlines()]
        mine = [f for f in lines if f.get("req_id") == req_id]
        assert [(f["level"], f["message"]) for f in mine] == [
            ("DEBUG", "REQUEST"),
            ("INFO", "RESPONSE"),
        ]
        for f, function in zip(mine, ("initialize", "log_response"), strict=True):
            code = getattr(BaseHandler, function).__code__
            source, first = inspect.getsourcelines(code)
            call = "log_event(" if function == "initialize" else "log_response(self.logger"
            lineno = first + next(i for i, text in enumerate(source) if call in text)
            assert (f["file"], f["function"], f["lineno"]) == (
                "basehandler.py",
                function,
                str(lineno),
            )
        console = [line for line in self.console.getvalue().splitlines() if req_id in line]
        assert len(console) == 1
        assert "message=RESPONSE" in console[0]
        assert " INFO : " in console[0]


class TestLocalConfigQueued(TestLocalConfig):
    log_queue = True
