"""`?limit=N&after=ID` parsing: what is accepted, and a clear message for everything else."""

from __future__ import annotations

import pytest

from taskservice.errors import ValidationError
from taskservice.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageRequest, parse_page_query

ID = "0193a7f0c1d2e3f4a5b6c7d8e9f0a1b2"


def test_no_parameters_ask_for_the_first_default_page() -> None:
    assert parse_page_query({}) == PageRequest(DEFAULT_PAGE_SIZE, None)
    assert DEFAULT_PAGE_SIZE <= 1000


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"limit": [b"1"]}, PageRequest(1, None)),
        ({"limit": [str(MAX_PAGE_SIZE).encode()]}, PageRequest(MAX_PAGE_SIZE, None)),
        ({"limit": [b"0007"]}, PageRequest(7, None)),
        ({"after": [ID.encode()]}, PageRequest(DEFAULT_PAGE_SIZE, ID)),
        ({"limit": [b"5"], "after": [ID.encode()]}, PageRequest(5, ID)),
    ],
)
def test_valid_parameters_are_read(query: dict[str, list[bytes]], expected: PageRequest) -> None:
    assert parse_page_query(query) == expected


LIMIT_RULE = f"limit: must be a whole number from 1 to {MAX_PAGE_SIZE}"
AFTER_RULE = "after: must be a task id (32 lower-case hex digits)"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"limit": [b"0"]}, LIMIT_RULE),
        ({"limit": [b"-1"]}, LIMIT_RULE),
        ({"limit": [str(MAX_PAGE_SIZE + 1).encode()]}, LIMIT_RULE),
        ({"limit": [b"9" * 5000]}, LIMIT_RULE),
        ({"limit": [b"1e3"]}, LIMIT_RULE),
        ({"limit": [b"2.0"]}, LIMIT_RULE),
        ({"limit": [b" 5"]}, LIMIT_RULE),
        ({"limit": [b"+5"]}, LIMIT_RULE),
        ({"limit": [b"5_0"]}, LIMIT_RULE),
        ({"limit": ["٣".encode()]}, LIMIT_RULE),  # int() would read an Arabic-Indic 3
        ({"limit": [b""]}, LIMIT_RULE),
        ({"limit": [b"ten"]}, LIMIT_RULE),
        ({"after": [b"nope"]}, AFTER_RULE),
        ({"after": [b""]}, AFTER_RULE),
        ({"after": [ID.upper().encode()]}, AFTER_RULE),
        ({"after": [ID.encode() + b"0"]}, AFTER_RULE),
        ({"after": [b"\x00" * 32]}, AFTER_RULE),
        ({"after": [b"\xff\xfe"]}, "after: not valid UTF-8"),
        ({"limit": [b"1", b"2"]}, "limit: given more than once"),
        ({"after": [ID.encode(), ID.encode()]}, "after: given more than once"),
        ({"limt": [b"5"]}, "'limt': unknown query parameter"),
        ({"x" * 500: [b"5"]}, "'" + "x" * 64 + "...': unknown query parameter"),
    ],
)
def test_bad_parameters_are_refused_with_a_message_naming_them(
    query: dict[str, list[bytes]], message: str
) -> None:
    with pytest.raises(ValidationError) as err:
        parse_page_query(query)
    assert str(err.value) == message


def test_every_bad_parameter_is_named_at_once() -> None:
    with pytest.raises(ValidationError) as err:
        parse_page_query({"limit": [b"-5"], "after": [b"x"], "page": [b"2"]})
    assert str(err.value) == f"'page': unknown query parameter; {LIMIT_RULE}; {AFTER_RULE}"
