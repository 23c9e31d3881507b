"""`/debug/profile?seconds=N&clock=cpu|wall&format=svg|pstat` parsed and checked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from taskservice.errors import ValidationError
from taskservice.queryargs import show, single_values, whole_number

DEFAULT_SECONDS: Final = 10
DEFAULT_CLOCK: Final = "cpu"
DEFAULT_FORMAT: Final = "svg"
MAX_SECONDS: Final = 60
FORMATS: Final = ("svg", "pstat")
_CHOICES: Final = {"clock": ("cpu", "wall"), "format": FORMATS}
_PARAMETERS: Final = ("seconds", "clock", "format")


@dataclass(frozen=True, slots=True)
class ProfileQuery:
    """How long to profile, with which clock, and what to answer with."""

    seconds: int = DEFAULT_SECONDS
    clock: str = DEFAULT_CLOCK
    format: str = DEFAULT_FORMAT


def parse_profile_query(query: Mapping[str, Sequence[bytes]]) -> ProfileQuery:
    """A ProfileQuery from decoded query parameters; ValidationError names each bad one."""
    values, errors = single_values(query, _PARAMETERS)
    seconds = DEFAULT_SECONDS
    if "seconds" in values:
        number = whole_number(values["seconds"], 1, MAX_SECONDS)
        if number is None:
            errors.append(f"seconds: must be a whole number from 1 to {MAX_SECONDS}")
        else:
            seconds = number
    for name, choices in _CHOICES.items():
        if name in values and values[name] not in choices:
            errors.append(f"{name}: must be one of {', '.join(choices)}, got {show(values[name])}")
    if errors:
        raise ValidationError("; ".join(errors))
    clock = values.get("clock", DEFAULT_CLOCK)
    return ProfileQuery(seconds, clock, values.get("format", DEFAULT_FORMAT))
