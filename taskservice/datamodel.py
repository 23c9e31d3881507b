"""Task: validated from API JSON, rendered back to API JSON."""

from __future__ import annotations

import json
import json.encoder as json_encoder
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from taskservice.errors import ValidationError

PRIORITIES: Final = ("urgent", "high", "normal", "low", "none")
TITLE_MAX_CHARS: Final = 256
DESCRIPTION_MAX_CHARS: Final = 10_000
# due_date is stored as a 64-bit SQLite integer when it is whole; larger ints cannot be stored.
# Floats are held to the same range, so the rule is one JSON Schema can state (openapi.yaml).
NUMBER_MIN: Final = -(2**63)
NUMBER_MAX: Final = 2**63 - 1
FIELDS: Final = ("title", "description", "priority", "completed", "due_date")
_PRIORITY_HINT: Final = "must be one of " + ", ".join(PRIORITIES)


@dataclass(frozen=True, slots=True)
class Task:
    """One todo-list entry, always valid once constructed through `from_api`."""

    title: str
    description: str | None = None
    priority: str = "none"
    completed: bool = False
    due_date: int | float | None = None

    @classmethod
    def from_api(cls, data: object) -> Task:
        """Validate a decoded JSON body; raise ValidationError naming every bad field."""
        if not isinstance(data, dict):
            raise ValidationError(f"expected a JSON object, got {_json_type(data)}")
        errors = [f"{_show(key)}: unknown field" for key in sorted(data.keys() - FIELDS)]
        title = data.get("title")
        if title is None:
            errors.append("title: required" if "title" not in data else "title: must be a string")
        else:
            errors += _check_text("title", title, TITLE_MAX_CHARS, allow_empty=False)
        description = data.get("description")
        if "description" in data:
            errors += _check_text("description", description, DESCRIPTION_MAX_CHARS)
        priority = data.get("priority", "none")
        if not isinstance(priority, str) or priority not in PRIORITIES:
            errors.append(f"priority: {_PRIORITY_HINT}")
        completed = data.get("completed", False)
        if not isinstance(completed, bool):
            errors.append("completed: must be true or false")
        due_date = data.get("due_date")
        if "due_date" in data:
            errors += _check_number("due_date", due_date)
        if errors:
            raise ValidationError("; ".join(errors))
        return cls(str(title), description, priority, completed, due_date)

    def to_api(self) -> dict[str, Any]:
        """Render as the API's JSON object; optional fields that were never set are left out."""
        out: dict[str, Any] = {"title": self.title}
        if self.description is not None:
            out["description"] = self.description
        out["priority"] = self.priority
        out["completed"] = self.completed
        if self.due_date is not None:
            out["due_date"] = self.due_date
        return out


def _check_text(field: str, value: object, max_chars: int, allow_empty: bool = True) -> list[str]:
    if not isinstance(value, str):
        return [f"{field}: must be a string"]
    if not allow_empty and not value.strip():
        return [f"{field}: must not be empty"]
    if len(value) > max_chars:
        return [f"{field}: longer than {max_chars} characters"]
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # JSON's \ud800 escapes decode to lone surrogates, which no store or log can encode.
            return [f"{field}: contains an unpaired unicode surrogate"]
    return []


def _check_number(field: str, value: object) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [f"{field}: must be a number"]
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{field}: must be a finite number"]
    if not NUMBER_MIN <= value <= NUMBER_MAX:  # exact comparison, for floats too
        kind = "integer" if isinstance(value, int) else "number"
        return [f"{field}: {kind} out of the 64-bit range"]
    return []


def _show(name: str, limit: int = 64) -> str:
    """A client's field name, safe to echo: unpaired surrogates escaped, long names cut."""
    text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit] + "..."


def _json_type(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _reject_constant(name: str) -> Any:
    raise ValidationError(f"invalid JSON: {name} is not a number in JSON")


# Built once, as json.loads with any option builds a new decoder for every body.
_FROM_JSON: Final = json.JSONDecoder(parse_constant=_reject_constant)


def parse_json_body(body: bytes) -> object:
    """Decode a request body as strict UTF-8 JSON; raise ValidationError with a clear message."""
    if not body.strip():
        raise ValidationError("request body is empty; expected a JSON object")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValidationError(f"request body is not valid UTF-8 (byte {e.start})") from None
    if text.startswith("\ufeff"):  # as json.loads says; JSONDecoder.decode does not check
        raise ValidationError(
            "invalid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig) (line 1 column 1)"
        )
    try:
        return _FROM_JSON.decode(text)
    except json.JSONDecodeError as e:
        raise ValidationError(f"invalid JSON: {e.msg} (line {e.lineno} column {e.colno})") from None
    except RecursionError:
        raise ValidationError("invalid JSON: nested too deeply") from None
    except ValueError:  # int() refuses numbers with thousands of digits
        raise ValidationError("invalid JSON: a number has too many digits") from None


def task_from_json(body: bytes) -> Task:
    """Parse and validate one task from a request body."""
    return Task.from_api(parse_json_body(body))


# Built once: json.dumps with any non-default option builds a new encoder on every call.
_TO_UTF8: Final = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_TO_ASCII: Final = json.JSONEncoder(allow_nan=False)


def one_shot(encoder: json.JSONEncoder) -> Callable[[object], str]:
    """encoder.encode, minus the C encoder that JSONEncoder.encode builds anew for every value.

    The one difference: no check for circular references (API values are trees from JSON or the
    store), so a cycle would raise RecursionError rather than ValueError.
    """
    make: Callable[..., Callable[[object, int], list[str]]] | None
    make = getattr(json_encoder, "c_make_encoder", None)  # not in typeshed; None without _json
    if make is None or encoder.indent is not None:
        return encoder.encode  # the pure-Python encoder: nothing built per call to save
    strings = (
        json_encoder.encode_basestring_ascii
        if encoder.ensure_ascii
        else json_encoder.encode_basestring
    )
    iterencode = make(
        None,  # no markers: no cycle check (see above)
        encoder.default,
        strings,
        encoder.indent,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )

    def encode(value: object) -> str:
        return "".join(iterencode(value, 0))

    return encode


_encode_utf8: Final = one_shot(_TO_UTF8)


def dump_json(value: object) -> bytes:
    """Serialise an API value as UTF-8 JSON bytes."""
    text = _encode_utf8(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # An unpaired surrogate has no UTF-8 form; JSON's \u escapes can still carry it.
        return _TO_ASCII.encode(value).encode("ascii")
