"""Strong ETags tied to a task's version, and If-Match read as RFC 9110 says."""

from __future__ import annotations

import re
from collections.abc import Set
from typing import Final

from taskservice.errors import ValidationError

MAX_IF_MATCH_TAGS: Final = 100
# RFC 9110: If-Match = "*" / #entity-tag, where a list may hold empty elements and optional
# whitespace, and etagc is %x21 / %x23-7E (obs-text is refused: this server never makes it).
# openapi.yaml states the same pattern; a unit test keeps the two equal.
_TAG: Final = r'(?:W/)?"[\x21\x23-\x7e]*"'
IF_MATCH_PATTERN: Final = (
    rf"^(?:[ \t]*\*[ \t]*|(?:[ \t]*,)*[ \t]*{_TAG}[ \t]*(?:,[ \t]*(?:{_TAG}[ \t]*)?)*)$"
)
_IF_MATCH: Final = re.compile(IF_MATCH_PATTERN)
# Once the whole value matches, quotes appear only around tags, so this finds exactly those.
_EACH_TAG: Final = re.compile(r'(W/)?"([\x21\x23-\x7e]*)"')
_OUR_TAG: Final = re.compile(r"v([1-9][0-9]{0,17})")
_IF_MATCH_RULE: Final = 'If-Match: expected "*" or a list of quoted entity tags such as "v1"'


def etag_for(version: int) -> str:
    """The strong entity tag of a task at this version."""
    return f'"v{version}"'


def parse_if_match(header: str | None) -> Set[int] | None:
    """The versions an If-Match header accepts; None when there is no precondition.

    `*` means "any current version": a task that does not exist is answered 404 before any
    precondition is looked at (RFC 9110 13.2.1), so for an existing one it always holds.
    Weak tags never match (If-Match compares strongly), nor do tags this server never made:
    the set leaves them out, and an empty set holds for no version.
    """
    if header is None:
        return None
    if _IF_MATCH.fullmatch(header) is None:
        raise ValidationError(_IF_MATCH_RULE)
    if header.strip(" \t") == "*":
        return None
    tags = _EACH_TAG.findall(header)
    if len(tags) > MAX_IF_MATCH_TAGS:
        raise ValidationError(f"If-Match: more than {MAX_IF_MATCH_TAGS} entity tags")
    ours = (_OUR_TAG.fullmatch(opaque) for weak, opaque in tags if not weak)
    return {int(match.group(1)) for match in ours if match is not None}
