"""Requests whose headers frame the body wrongly: refused, and logged with their real status."""

from __future__ import annotations

import asyncio

import tornado.testing

from tests.integration.support import AppTestCase
from tests.support.logfmt_parser import parse_logfmt
from tests.support.logs import captured

# The header, and the reason the log line gives on each transport: Tornado's and llhttp's words.
MALFORMED = [
    ("Content-Length: \xb2", "Content-Length is not an integer", "Invalid character in"),
    ("Content-Length: " + "9" * 5000, "Content-Length is not an integer", "overflow"),
    ("Content-Length: -1", "Content-Length is not an integer", "Invalid character in"),
    ("Content-Length: +13", "Content-Length is not an integer", "Invalid character in"),
    ("Content-Length: 1x", "Content-Length is not an integer", "Invalid character in"),
    ("Content-Length: 5\r\nContent-Length: 6", "unequal Content-Length", "Duplicate"),
    (
        "Content-Length: 5\r\nTransfer-Encoding: chunked",
        "both Transfer-Encoding and",
        "Transfer-Encoding can't be present with Content-Length",
    ),
    ("Transfer-Encoding: gzip", "Unsupported Transfer-Encoding", "invalid `Transfer-Encoding`"),
]


class TestMalformedFraming(AppTestCase):
    @tornado.testing.gen_test
    async def test_malformed_framing_gets_400_and_one_response_line(self) -> None:
        for header, tornado_reason, llhttp_reason in MALFORMED:
            reason = llhttp_reason if self.http == "llhttp" else tornado_reason
            with captured() as logs:
                answer = await self.raw_exchange(
                    f"POST /tasks HTTP/1.1\r\nHost: a\r\n{header}\r\n\r\n".encode("latin-1")
                )
                await asyncio.sleep(0.01)
            assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n"), (header, answer)
            (line,) = logs.messages("RESPONSE")
            fields = dict(parse_logfmt(line))
            assert fields["status"] == "400", header
            assert fields["error"].startswith("malformed request: "), fields
            assert reason in fields["error"], (reason, fields["error"])
        listed = await self.http_client.fetch(self.get_url("/tasks"))
        assert listed.body == b"{}"
        assert self.inflight.count == 0

    @tornado.testing.gen_test
    async def test_equal_duplicate_content_lengths_over_the_limit_get_413_at_once(self) -> None:
        big = 10 * self.config.max_body_bytes
        answer = await self.raw_exchange(
            f"POST /tasks HTTP/1.1\r\nHost: a\r\nContent-Length: {big}, {big}\r\n"
            "Expect: 100-continue\r\n\r\n".encode()
        )
        # Tornado takes equal repeated lengths as one; llhttp refuses a list as malformed.
        assert answer.startswith(b"HTTP/1.1 400 " if self.http == "llhttp" else b"HTTP/1.1 413 ")
        assert b"100 (Continue)" not in answer
