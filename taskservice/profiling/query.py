"""`/debug/profile?seconds=N&clock=cpu|wall&format=svg|pstat` parsed and checked."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from taskservice.errors import ValidationError

DEFAULT_SECONDS: Final = 10
DEFAULT_CLOCK: Final = "cpu"
DEFAULT_FORMAT: Final = "svg"
MAX_SECONDS: Final = 60
FORMATS: Final = ("svg", "pstat")
_CHOICES: Final = {"clock": ("cpu", "wall"), "format": FORMATS}
_PARAMETERS: Final = ("seconds", "clock", "format")
_DIGITS: Final = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True, slots=True)
class ProfileQuery:
    """How long to profile, with which clock, and what to answer with."""

    seconds: int = DEFAULT_SECONDS
    clock: str = DEFAULT_CLOCK
    format: str = DEFAULT_FORMAT


def parse_profile_query(query: Mapping[str, Sequence[bytes]]) -> ProfileQuery:
    """A ProfileQuery from decoded query parameters; ValidationError names each bad one."""
    unknown = sorted(name for name in query if name not in _PARAMETERS)
    errors = [f"{_show(name)}: unknown query parameter" for name in unknown]
    values: dict[str, str] = {}
    for name in _PARAMETERS:
        given = query.get(name, ())
        if len(given) > 1:
            errors.append(f"{name}: given more than once")
        elif given:
            values[name] = given[0].decode("utf-8", "replace")
    seconds = DEFAULT_SECONDS
    if "seconds" in values:
        text = values["seconds"]
        seconds = int(text) if _DIGITS.fullmatch(text) else 0
        if not 1 <= seconds <= MAX_SECONDS:
            errors.append(f"seconds: must be a whole number from 1 to {MAX_SECONDS}")
    for name, choices in _CHOICES.items():
        if name in values and values[name] not in choices:
            errors.append(f"{name}: must be one of {', '.join(choices)}, got {_show(values[name])}")
    if errors:
        raise ValidationError("; ".join(errors))
    clock = values.get("clock", DEFAULT_CLOCK)
    return ProfileQuery(seconds, clock, values.get("format", DEFAULT_FORMAT))


def _show(text: str, limit: int = 32) -> str:
    """A client's text, safe to echo in a message: cut when long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")
