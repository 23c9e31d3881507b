"""Pages of the task list: `?limit=N&after=ID` parsed and checked, and what a page holds."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from taskservice.datamodel import Task
from taskservice.errors import ValidationError
from taskservice.ids import is_task_id

DEFAULT_PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 1000
PARAMETERS: Final = ("limit", "after")
# Plain ASCII digits only: int() would also take " 5", "+5", "5_0" and other scripts' digits.
_DIGITS: Final = re.compile(r"[0-9]{1,7}")
_LIMIT_RULE: Final = f"limit: must be a whole number from 1 to {MAX_PAGE_SIZE}"


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page: at most `limit` tasks, starting after the id `after` (None: the first)."""

    limit: int = DEFAULT_PAGE_SIZE
    after: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of tasks by id, in id order, and the id to continue after if more exist."""

    tasks: dict[str, Task] = field(default_factory=dict)
    next_after: str | None = None


def parse_page_query(query: Mapping[str, Sequence[bytes]]) -> PageRequest:
    """A PageRequest from decoded query parameters; ValidationError names each bad one."""
    errors = [
        f"{_show(name)}: unknown query parameter" for name in sorted(query.keys() - {*PARAMETERS})
    ]
    values: dict[str, str] = {}
    for name in PARAMETERS:
        given = query.get(name, ())
        if len(given) > 1:
            errors.append(f"{name}: given more than once")
        elif given:
            try:
                values[name] = given[0].decode("utf-8")
            except UnicodeDecodeError:
                errors.append(f"{name}: not valid UTF-8")
    limit = DEFAULT_PAGE_SIZE
    if "limit" in values:
        text = values["limit"]
        limit = int(text) if _DIGITS.fullmatch(text) else 0
        if not 1 <= limit <= MAX_PAGE_SIZE:
            errors.append(_LIMIT_RULE)
    after = values.get("after")
    if after is not None and not is_task_id(after):
        errors.append("after: must be a task id (32 lower-case hex digits)")
    if errors:
        raise ValidationError("; ".join(errors))
    return PageRequest(limit, after)


def _show(name: str, limit: int = 64) -> str:
    """A client's parameter name, safe to echo in a message: cut when long."""
    return repr(name if len(name) <= limit else name[:limit] + "...")
