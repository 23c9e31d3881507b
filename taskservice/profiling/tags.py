"""Route tags: each request's route name as a small int in a ContextVar, for yappi's tags."""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Final

LOOP: Final = 0
LOOP_NAME: Final = "(loop)"
OTHER_NAME: Final = "(other)"
# Route names come from code (method x route template), so a few dozen at most; the bound only
# keeps a bug from growing the table without end.
MAX_ROUTES: Final = 256

# The tag of the code running now: 0 outside any request. asyncio copies the context into each
# new task, so a value set while a request's handler task is created stays with that request.
ROUTE_TAG: ContextVar[int] = ContextVar("taskservice_route_tag", default=LOOP)

# yappi calls this on every function entry: a bound C method, no Python frame of its own.
current_tag = ROUTE_TAG.get


class RouteTags:
    """Route names <-> small ints; tag 0 is `(loop)`, work outside any request."""

    def __init__(self, limit: int = MAX_ROUTES) -> None:
        self._limit = limit
        self._names: list[str] = [LOOP_NAME]
        self._tags: dict[str, int] = {LOOP_NAME: LOOP}
        self._lock = threading.Lock()

    def tag(self, name: str) -> int:
        """The tag of a route name, registered on first use (past the limit: `(other)`)."""
        found = self._tags.get(name)
        if found is not None:
            return found
        with self._lock:
            if name not in self._tags:
                if len(self._names) >= self._limit - 1:
                    # Full: this name and all later ones share the last tag.
                    self._tags.setdefault(OTHER_NAME, len(self._names))
                    if len(self._names) == self._tags[OTHER_NAME]:
                        self._names.append(OTHER_NAME)
                    return self._tags[OTHER_NAME]
                self._tags[name] = len(self._names)
                self._names.append(name)
            return self._tags[name]

    def name(self, tag: int) -> str:
        """The route name of a tag; an unknown tag reads as `(loop)`."""
        return self._names[tag] if 0 <= tag < len(self._names) else LOOP_NAME

    def items(self) -> list[tuple[int, str]]:
        """Every registered (tag, name), `(loop)` first."""
        return list(enumerate(self._names))


ROUTES: Final = RouteTags()
