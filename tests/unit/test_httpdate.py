"""The Date header's value, cached for a second."""

from __future__ import annotations

import email.utils
import time

from taskservice.tornado.httpdate import http_date


def test_http_date_formats_an_rfc_7231_date() -> None:
    assert http_date(1359312200) == "Sun, 27 Jan 2013 18:43:20 GMT"


def test_http_date_changes_with_the_second() -> None:
    assert http_date(1359312200.2) == http_date(1359312200.9)
    assert http_date(1359312201.0) == "Sun, 27 Jan 2013 18:43:21 GMT"


def test_http_date_defaults_to_now() -> None:
    before = int(time.time())
    parsed = email.utils.parsedate_to_datetime(http_date()).timestamp()
    assert before <= parsed <= time.time()
