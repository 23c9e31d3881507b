"""Header lookups without Tornado 6.6's cost per call: it re-cases the field name on every access.

HTTPHeaders turns each name into Http-Header-Case (a split, a capitalize per word and a join)
on every `in`, `[]`, `get` and `set`, and its inherited `get` raises and catches a KeyError for a
missing field. A request touches a dozen names that way; these helpers skip the work.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Final, TypeVar, overload

from tornado import httputil

T = TypeVar("T")

# Bounded, though only the server's own code names response fields: a handful of names.
_case: Final = functools.lru_cache(maxsize=256)(httputil._normalize_header)
_NONE: Final[list[str]] = []


def field_lines(headers: httputil.HTTPHeaders, cased: str) -> list[str]:
    """headers.get_list(cased) for a name already in Http-Header-Case ("X-Request-Id").

    The list is the headers' own: read it, never change it.
    """
    return headers._as_list.get(cased, _NONE)


def has_field(headers: httputil.HTTPHeaders, cased: str) -> bool:
    """`cased in headers` for a name already in Http-Header-Case ("Content-Length")."""
    return cased in headers._as_list


class ResponseHeaders(httputil.HTTPHeaders):
    """A response's headers: HTTPHeaders, with each distinct name re-cased once, not per access."""

    @classmethod
    def of(cls, fields: Mapping[str, str]) -> ResponseHeaders:
        """Headers holding `fields`, whose names are already in Http-Header-Case."""
        headers = cls.__new__(cls)  # HTTPHeaders.__init__ would re-case each name again
        headers._combined_cache = dict(fields)
        headers._as_list = {name: [value] for name, value in fields.items()}
        return headers

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _case(name) in self._as_list

    def __getitem__(self, name: str) -> str:
        cased = _case(name)
        combined = self._combined_cache.get(cased)
        if combined is None:
            combined = self._combined_cache[cased] = ",".join(self._as_list[cased])
        return combined

    def __setitem__(self, name: str, value: str) -> None:
        cased = _case(name)
        self._combined_cache[cased] = value
        self._as_list[cased] = [value]

    def __delitem__(self, name: str) -> None:
        cased = _case(name)
        self._combined_cache.pop(cased, None)
        del self._as_list[cased]

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: str | T) -> str | T: ...
    def get(self, name: str, default: object = None) -> object:
        """The combined value of the field, or `default` (without raising a KeyError inside)."""
        return self[name] if _case(name) in self._as_list else default

    def get_list(self, name: str) -> list[str]:
        """Every value of the field, in order."""
        return self._as_list.get(_case(name), [])
