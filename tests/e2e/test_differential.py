"""One corpus of raw request bytes, sent to both transports: the same status, the same close.

Each case says what it sends. Where llhttp and Tornado's server answer differently, the case
names the difference and what each does; docs/performance.md lists the same ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.server import ServerProcess
from tests.support.wire import Outcome, exchange

H = b"Host: a\r\n"
JSON = b'{"title": "t"}'
POST = b"POST /tasks HTTP/1.1\r\n" + H


def chunked(*pieces: bytes) -> bytes:
    """A chunked POST /tasks whose body is `pieces`."""
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    return POST + b"Transfer-Encoding: chunked\r\n\r\n" + body


@dataclass(frozen=True)
class Case:
    """Raw bytes, and what both transports do with them; or, if they differ, what each does."""

    name: str
    data: bytes
    both: Outcome | None = None
    llhttp: Outcome | None = None  # only where the transports differ...
    tornado: Outcome | None = None
    why: str = ""  # ...and then why


def same(name: str, data: bytes, *statuses: int, closed: bool = False) -> Case:
    return Case(name, data, both=Outcome(statuses, closed))


def differs(name: str, data: bytes, llhttp: Outcome, tornado: Outcome, why: str) -> Case:
    return Case(name, data, llhttp=llhttp, tornado=tornado, why=why)


OPEN_400, CLOSED_400 = Outcome((400,), False), Outcome((400,), True)
CORPUS = [
    # Framing of ordinary requests.
    same("GET", b"GET /tasks HTTP/1.1\r\n" + H + b"\r\n", 200),
    same("HTTP/1.0 closes", b"GET /tasks HTTP/1.0\r\n\r\n", 200, closed=True),
    same("HTTP/1.0 keep-alive", b"GET /tasks HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200),
    same(
        "Connection: close",
        b"GET /tasks HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n",
        200,
        closed=True,
    ),
    same("leading empty line", b"\r\nGET /tasks HTTP/1.1\r\n" + H + b"\r\n", 200),
    same("absolute-form target", b"GET http://a/tasks HTTP/1.1\r\n" + H + b"\r\n", 404),
    same("Content-Length body", POST + b"Content-Length: 14\r\n\r\n" + JSON, 201),
    same("chunked body", chunked(b'{"title"', b': "t"}'), 201),
    differs(
        "chunk extension",
        POST + b"Transfer-Encoding: chunked\r\n\r\ne;ext=1\r\n" + JSON + b"\r\n0\r\n\r\n",
        Outcome((201,), False),
        CLOSED_400,
        "RFC 9112 allows chunk extensions (ignored); Tornado refuses the chunk size",
    ),
    differs(
        "chunked trailer",
        POST + b"Transfer-Encoding: chunked\r\n\r\ne\r\n" + JSON + b"\r\n0\r\nX-Trailer: 1\r\n\r\n",
        Outcome((201,), False),
        CLOSED_400,
        "RFC 9112 allows trailer fields (ignored); Tornado refuses them",
    ),
    # Pipelining: answered one at a time, in order.
    same("three pipelined", (b"GET /tasks HTTP/1.1\r\n" + H + b"\r\n") * 3, 200, 200, 200),
    same(
        "pipelined after a POST",
        POST + b"Content-Length: 14\r\n\r\n" + JSON + b"GET /nowhere HTTP/1.1\r\n" + H + b"\r\n",
        201,
        404,
    ),
    same(
        "pipelined behind Connection: close",
        b"GET /tasks HTTP/1.1\r\n"
        + H
        + b"Connection: close\r\n\r\nGET /tasks HTTP/1.1\r\n"
        + H
        + b"\r\n",
        200,
        closed=True,
    ),
    # Expect: 100-continue.
    same(
        "Expect: 100-continue",
        POST + b"Expect: 100-continue\r\nContent-Length: 14\r\n\r\n" + JSON,
        100,
        201,
    ),
    same(
        "Expect over the limit",
        POST + b"Expect: 100-continue\r\nContent-Length: 10000000\r\n\r\n",
        413,
        closed=True,
    ),
    # Bodies the handler refuses.
    same(
        "body over the limit",
        POST + b"Content-Length: 70000\r\n\r\n" + b"x" * 70000,
        413,
        closed=True,
    ),
    same("chunked over the limit", chunked(b"x" * 40000, b"x" * 40000), 413, closed=True),
    same("not JSON", POST + b"Content-Length: 5\r\n\r\n{bad}", 400),
    # Malformed framing and smuggling attempts.
    same(
        "Content-Length and chunked",
        POST + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
        closed=True,
    ),
    same(
        "unequal Content-Lengths",
        POST + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\n{}",
        400,
        closed=True,
    ),
    same("negative Content-Length", POST + b"Content-Length: -1\r\n\r\n", 400, closed=True),
    same("Content-Length not a number", POST + b"Content-Length: 1x\r\n\r\n", 400, closed=True),
    same("Transfer-Encoding gzip", POST + b"Transfer-Encoding: gzip\r\n\r\n", 400, closed=True),
    same(
        "Transfer-Encoding chunked twice",
        POST + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        400,
        closed=True,
    ),
    same(
        "bad chunk size",
        POST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        400,
        closed=True,
    ),
    same(
        "space before the colon",
        POST + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        400,
        closed=True,
    ),
    same(
        "NUL in a header value",
        b"GET /tasks HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n",
        400,
        closed=True,
    ),
    same(
        "header line without a colon",
        b"GET /tasks HTTP/1.1\r\n" + H + b"Nonsense\r\n\r\n",
        400,
        closed=True,
    ),
    same("no Host in HTTP/1.1", b"GET /tasks HTTP/1.1\r\n\r\n", 400, closed=True),
    same("two Hosts", b"GET /tasks HTTP/1.1\r\n" + H + b"Host: b\r\n\r\n", 400, closed=True),
    same("HTTP/2.0 request line", b"GET /tasks HTTP/2.0\r\n" + H + b"\r\n", 400, closed=True),
    same(
        "a bad request after a good one",
        b"GET /tasks HTTP/1.1\r\n" + H + b"\r\n" + POST + b"Content-Length: 1x\r\n\r\n",
        200,
        400,
        closed=True,
    ),
    # Where the two differ, each on purpose.
    differs(
        "unknown method",
        b"BREW /tasks HTTP/1.1\r\n" + H + b"\r\n",
        CLOSED_400,
        Outcome((405,), False),
        "llhttp knows a fixed set of methods; Tornado passes any "
        "token to the app, which answers 405",
    ),
    differs(
        "lower-case method",
        b"get /tasks HTTP/1.1\r\n" + H + b"\r\n",
        CLOSED_400,
        Outcome((405,), False),
        "methods are case-sensitive: llhttp refuses, the app answers 405",
    ),
    same("obs-fold", b"GET /tasks HTTP/1.1\r\n" + H + b"X-A: a\r\n b\r\n\r\n", 400, closed=True),
    differs(
        "bare LF line ends",
        b"GET /tasks HTTP/1.1\nHost: a\n\n",
        CLOSED_400,
        Outcome((200,), False),
        "llhttp, parsing strictly, wants CRLF; Tornado takes a lone LF",
    ),
    differs(
        "raw UTF-8 in the target",
        "GET /tasks/été HTTP/1.1\r\n".encode() + H + b"\r\n",
        CLOSED_400,
        Outcome((404,), False),
        "a request target is ASCII (RFC 3986); Tornado takes the bytes as Latin-1",
    ),
    differs(
        "equal Content-Lengths",
        POST + b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
        CLOSED_400,
        Outcome((400,), False),
        "llhttp refuses any repeated Content-Length; "
        "Tornado merges equal ones (and the app then refuses the body '{}')",
    ),
    differs(
        "Content-Length list",
        POST + b"Content-Length: 2, 2\r\n\r\n{}",
        CLOSED_400,
        Outcome((400,), False),
        "the same, written as a list",
    ),
    differs(
        "Upgrade asked for",
        b"GET /tasks HTTP/1.1\r\n" + H + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        Outcome((200,), True),
        Outcome((200,), False),
        "no handler upgrades: llhttp stops parsing at an upgrade, so the answer ends the "
        "connection; Tornado's server reads on",
    ),
    differs(
        "head over max_header_bytes",
        b"GET /tasks HTTP/1.1\r\n" + H + b"X-Pad: " + b"p" * 20000 + b"\r\n\r\n",
        Outcome((431,), True),
        Outcome((), True),
        "llhttp's transport answers 431 before it closes; Tornado's server just closes",
    ),
]


def test_corpus_covers_the_framing_cases_issue_17_names() -> None:
    names = " ".join(case.name for case in CORPUS).lower()
    for topic in (
        "obs-fold",
        "nul",
        "chunk size",
        "content-length and chunked",
        "content-length",
        "max_header_bytes",
        "pipelined",
        "http/1.0",
        "expect",
    ):
        assert topic in names, topic
    assert all(case.why for case in CORPUS if case.both is None)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServerProcess]]:
    """One server on each transport, each on a memory store."""
    started: dict[str, ServerProcess] = {}
    try:
        for http in ("llhttp", "tornado"):
            workdir: Path = tmp_path_factory.mktemp(http)
            args = ["--store", "memory://"]
            started[http] = ServerProcess(workdir, args, http=http).start()
        yield started
        for server in started.values():
            assert server.stop() == 0
            assert "Traceback" not in server.stdout + server.stderr
    finally:
        for server in started.values():
            server.kill()


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_both_transports_answer_alike(servers: dict[str, ServerProcess], case: Case) -> None:
    got = {http: exchange(server.port, case.data) for http, server in servers.items()}
    if case.both is not None:
        assert got == {"llhttp": case.both, "tornado": case.both}
    else:
        assert got == {"llhttp": case.llhttp, "tornado": case.tornado}, case.why
