"""ETags and If-Match as RFC 9110 reads them."""

from __future__ import annotations

import pytest

from taskservice.errors import ValidationError
from taskservice.tornado.etags import MAX_IF_MATCH_TAGS, etag_for, parse_if_match


def test_etag_is_a_strong_quoted_tag_of_the_version() -> None:
    assert etag_for(1) == '"v1"'
    assert etag_for(42) == '"v42"'


def test_absent_header_is_no_precondition() -> None:
    assert parse_if_match(None) is None


@pytest.mark.parametrize("header", ["*", " * ", "\t*"])
def test_star_is_no_precondition_beyond_existing(header: str) -> None:
    assert parse_if_match(header) is None


@pytest.mark.parametrize(
    ("header", "versions"),
    [
        ('"v1"', {1}),
        ('"v3", "v7"', {3, 7}),
        ('"v3","v7"', {3, 7}),
        (' "v12" ', {12}),
        (',, "v2" ,', {2}),  # empty list elements are allowed
        ('W/"v1"', set()),  # weak tags never match If-Match
        ('W/"v1", "v2"', {2}),
        ('"abc"', set()),  # another server's tag: valid, matches nothing
        ('""', set()),
        ('"v0"', set()),
        ('"v01"', set()),
        ('"v1,v2"', set()),  # one opaque tag that holds a comma
        ('"v' + "9" * 19 + '"', set()),  # beyond any version a task can reach
    ],
)
def test_entity_tag_lists_give_the_versions_they_name(header: str, versions: set[int]) -> None:
    assert parse_if_match(header) == versions


@pytest.mark.parametrize(
    "header",
    ["", " ", "v1", '"v1', 'v1"', '"v1" "v2"', '"v1";', '*, "v1"', "**", 'w/"v1"', '"v\x7f"'],
)
def test_malformed_header_is_a_validation_error(header: str) -> None:
    with pytest.raises(ValidationError, match='If-Match: expected "\\*" or a list'):
        parse_if_match(header)


def test_too_many_tags_are_refused() -> None:
    assert parse_if_match(", ".join(['"x"'] * MAX_IF_MATCH_TAGS)) == set()
    with pytest.raises(ValidationError, match="more than 100 entity tags"):
        parse_if_match(", ".join(['"x"'] * (MAX_IF_MATCH_TAGS + 1)))


def test_obs_text_in_a_tag_is_refused() -> None:
    with pytest.raises(ValidationError):
        parse_if_match('"caf\xe9"')
