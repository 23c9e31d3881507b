"""Pages of the task list: `?limit=N&after=ID` parsed and checked, and what a page holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from taskservice.datamodel import Task
from taskservice.errors import ValidationError
from taskservice.ids import is_task_id
from taskservice.queryargs import single_values, whole_number

DEFAULT_PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 1000
PARAMETERS: Final = ("limit", "after")
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
    values, errors = single_values(query, PARAMETERS)
    limit = DEFAULT_PAGE_SIZE
    if "limit" in values:
        number = whole_number(values["limit"], 1, MAX_PAGE_SIZE)
        if number is None:
            errors.append(_LIMIT_RULE)
        else:
            limit = number
    after = values.get("after")
    if after is not None and not is_task_id(after):
        errors.append("after: must be a task id (32 lower-case hex digits)")
    if errors:
        raise ValidationError("; ".join(errors))
    return PageRequest(limit, after)
