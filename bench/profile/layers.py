"""Where a request's CPU time goes, by layer: each sample goes to the layer of its innermost frame
whose file the table below names; a frame of a general-purpose helper (`re`, `json`, `abc`, ...)
passes its time on to the frame that called it.

The table maps files to layers by path prefix, and the longest prefix wins, so
`taskservice/tornado/llhttp/` (the transport) beats `taskservice/tornado/` (the framework).
Change a row here and every profile run, the index page and `--diff` follow it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import cache
from typing import Final

OTHER: Final = "other"
LAYERS: Final[dict[str, tuple[str, ...]]] = {
    "HTTP transport": (
        "tornado/http1connection.py", "tornado/iostream.py", "tornado/tcpserver.py",
        "tornado/httpserver.py", "tornado/netutil.py", "taskservice/tornado/llhttp/",
        "taskservice/tornado/connections.py", "taskservice/tornado/framing.py", "httptools/",
        "socket.py",
    ),
    "framework": ("tornado/", "taskservice/tornado/", "urllib/", "http/", "email/"),
    "service core": (
        "taskservice/service.py", "taskservice/datamodel.py", "taskservice/paging.py",
        "taskservice/ids.py", "taskservice/queryargs.py", "taskservice/errors.py",
        "taskservice/apispec.py", "uuid.py",
    ),
    "store": ("taskservice/store/", "sqlite3/", "asyncpg/"),
    "logging": (
        "logging/", "taskservice/utils/log", "taskservice/observe/",
        "taskservice/tornado/metrics.py", "prometheus_client/",
    ),
    "event loop": (
        "asyncio/", "uvloop/", "selectors.py", "concurrent/futures/", "tornado/ioloop.py",
        "tornado/platform/", "taskservice/tornado/loops.py",
    ),
}  # fmt: skip
"""Layer -> the file path prefixes it holds (as py-spy and yappi print a frame's file)."""
CALLERS: Final = (
    "<frozen ", "<string>", "~", "abc.py", "re/", "re.py", "sre_", "enum.py", "typing.py",
    "functools.py", "collections/", "copy.py", "contextlib.py", "contextvars", "dataclasses.py",
    "weakref.py", "_weakrefset.py", "types.py", "string.py", "codecs.py", "encodings/",
    "json/", "threading.py", "queue.py", "operator.py", "numbers.py", "datetime.py",
    "base64.py", "hashlib.py", "hmac.py", "binascii", "calendar.py", "time", "traceback.py",
    "linecache.py", "inspect.py", "random.py", "secrets.py", "bisect.py", "heapq.py",
)  # fmt: skip
"""General-purpose helpers: their time is charged to the layer of the frame that called them."""
ORDER: Final = (*LAYERS, OTHER)
_FILE = re.compile(r" \(([^()]*)\)\s*$")  # `func (file)`; yappi's `(loop)` root names none
_LINE = re.compile(r":\d+$")


def _matches(path: str, prefix: str) -> bool:
    # A prefix names a file or folder from the top of an import path: at the start, or after /.
    return path.startswith(prefix) or f"/{prefix}" in path


@cache
def frame_layer(frame: str) -> str | None:
    """The layer of one frame (`func (path)` or `func (path:line)`); None: charged to its caller."""
    found = _FILE.search(frame)
    if found is None:
        return None  # yappi's `(loop)` root, or a frame with no file: no layer of its own
    path = _LINE.sub("", found.group(1))
    best, length = OTHER, 0
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            if len(prefix) > length and _matches(path, prefix):
                best, length = layer, len(prefix)
    if best == OTHER and any(_matches(path, prefix) for prefix in CALLERS):
        return None
    return best


def stack_layer(stack: str) -> str:
    """The layer a sample of `stack` (root first, `;`-joined) is charged to."""
    for frame in reversed(stack.split(";")):
        layer = frame_layer(frame)
        if layer is not None:
            return layer
    return OTHER


def shares(stacks: Mapping[str, int]) -> dict[str, float]:
    """Each layer's share of the profile's time, every layer of ORDER present (0.0 if unseen)."""
    per: Counter[str] = Counter()
    for stack, count in stacks.items():
        per[stack_layer(stack)] += count
    whole = sum(per.values())
    return {layer: (per[layer] / whole if whole else 0.0) for layer in ORDER}
