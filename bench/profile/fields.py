"""Lenient readers of the values a run folder's JSON holds: a wrong type reads as None."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any


def json_object(path: Path) -> dict[str, Any]:
    """The JSON object in `path`; ValueError, naming the file, for anything else."""
    try:
        data = json.loads(path.read_text(errors="replace"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path.name}: not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: not a JSON object")
    return data


def started_at(value: Any) -> datetime | None:
    """An ISO time as local naive time, or None."""
    try:
        return datetime.fromisoformat(str(value)).astimezone().replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None


def text(value: Any) -> str | None:
    """A string, or a number shown as one; None for anything else."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def number(value: Any) -> float | None:
    """A finite number (not a bool), or None."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


def count(value: Any) -> int | None:
    """An int (not a bool), or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def commit(commit: Any, dirty: Any) -> str | None:
    """A short commit, marked when the tree was dirty; None without one."""
    text_ = text(commit)
    if not text_:
        return None
    return text_[:10] + (" (dirty)" if dirty is True else "")
