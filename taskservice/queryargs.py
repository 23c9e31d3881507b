"""Query parameters read strictly: known names only, one value each, UTF-8, plain numbers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

# Plain ASCII digits only: int() would also take " 5", "+5", "5_0" and other scripts' digits.
# The length bound keeps int() off a megabyte of digits.
_DIGITS: Final = re.compile(r"[0-9]{1,9}")


def single_values(
    query: Mapping[str, Sequence[bytes]], known: Sequence[str]
) -> tuple[dict[str, str], list[str]]:
    """Each known parameter's one value, and an error per unknown, repeated or non-UTF-8 one."""
    errors = [f"{show(name)}: unknown query parameter" for name in sorted(query.keys() - {*known})]
    values: dict[str, str] = {}
    for name in known:
        given = query.get(name, ())
        if len(given) > 1:
            errors.append(f"{name}: given more than once")
        elif given:
            try:
                values[name] = given[0].decode("utf-8")
            except UnicodeDecodeError:
                errors.append(f"{name}: not valid UTF-8")
    return values, errors


def whole_number(text: str, low: int, high: int) -> int | None:
    """`text` as a plain whole number from `low` to `high`, else None."""
    number = int(text) if _DIGITS.fullmatch(text) else None
    return number if number is not None and low <= number <= high else None


def show(text: str, limit: int = 64) -> str:
    """A client's text, safe to echo in a message: quoted, and cut when long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")
