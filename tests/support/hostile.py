"""The hand-written hostile corpus: requests each of which must get a 4xx JSON error."""

from __future__ import annotations

import gzip
import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from taskservice.datamodel import FIELDS

SEED_TASKS = [
    {"title": "keep me", "description": "seeded", "priority": "high", "due_date": 1735689600},
    {"title": "and me", "completed": True},
]
GOOD = json.dumps({"title": "valid"})


@dataclass(frozen=True)
class Hostile:
    """One hostile request and the status it must get."""

    name: str
    method: str
    path: str  # "{task}" stands for a stored task's path
    status: int
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def random_bodies() -> Iterator[Hostile]:
    rng = random.Random(20261128)  # fixed, so a failure can be replayed
    for size in (1, 7, 100, 4096, 60_000):
        data = rng.randbytes(size)
        yield Hostile(f"random {size} bytes POST", "POST", "/tasks", 400, data)
        yield Hostile(f"random {size} bytes PUT", "PUT", "{task}", 400, data)


def nested_bodies() -> Iterator[Hostile]:
    for name, body in [
        ("5000 open braces", b"{" * 5000),
        ("5000 open brackets", b"[" * 5000),
        ("5000 nested arrays, closed", b"[" * 5000 + b"]" * 5000),
        ("5000 nested objects", b'{"a":' * 5000 + b"1" + b"}" * 5000),
        ("deep value in a field", b'{"title": ' + b"[" * 3000 + b"]" * 3000 + b"}"),
    ]:
        yield Hostile(f"{name} POST", "POST", "/tasks", 400, body)
        yield Hostile(f"{name} PUT", "PUT", "{task}", 400, body)


# Each kind of JSON value, as JSON text (so that 1e400 reaches the server as written).
WRONG_VALUES: dict[str, str] = {
    "string": '"text"',
    "empty string": '""',
    "integer": "7",
    "float": "1.5",
    "boolean": "true",
    "null": "null",
    "array": '["title"]',
    "object": '{"title": "x"}',
    "huge integer": "1" + "0" * 30,
    "overflowing float": "1e400",  # Python reads it as infinity
}
VALID_TYPES = {
    "title": {"string"},
    "description": {"string", "empty string"},
    "priority": set(),  # a string, but "text" is not a priority
    "completed": {"boolean"},
    "due_date": {"integer", "float"},
}


def wrong_types() -> Iterator[Hostile]:
    for name, value in WRONG_VALUES.items():
        if name != "object":  # a task is an object: every other top-level type is wrong
            yield Hostile(f"body is {name}", "POST", "/tasks", 400, value.encode())
    for fld, (kind, value) in itertools.product(FIELDS, WRONG_VALUES.items()):
        if kind in VALID_TYPES[fld]:
            continue
        title = "" if fld == "title" else '"title": "t", '
        task = f'{{{title}"{fld}": {value}}}'.encode()
        yield Hostile(f"{fld} is {kind} POST", "POST", "/tasks", 400, task)
        yield Hostile(f"{fld} is {kind} PUT", "PUT", "{task}", 400, task)
    yield Hostile("duplicate key, last wrong", "POST", "/tasks", 400, b'{"title": "a", "title": 5}')
    yield Hostile("trailing garbage", "POST", "/tasks", 400, b'{"title": "a"} x')


def bad_pages() -> Iterator[Hostile]:
    for query in (
        "limit=-1",
        "limit=0",
        "limit=1001",
        "limit=" + "9" * 400,
        "limit=1e9",
        "limit=0x10",
        "limit=-0",
        "after=-1",
        "after=" + "f" * 400,
        "limit=5&limit=5",
        "offset=10",
    ):
        yield Hostile(f"GET /tasks?{query[:30]}", "GET", f"/tasks?{query}", 400)


def methods_and_types() -> Iterator[Hostile]:
    for method, path in [
        ("BREW", "/tasks"),
        ("PROPFIND", "{task}"),
        ("PATCH", "{task}"),
        ("OPTIONS", "/tasks"),
        ("TRACE", "/tasks"),
        ("get", "/tasks"),
        ("POST", "{task}"),
        ("DELETE", "/tasks"),
    ]:
        yield Hostile(f"{method} {path}", method, path, 405, b"{}")
    odd = [
        ("application/xml", b"<task><title>x</title></task>"),
        ("multipart/form-data; boundary=b", b'--b\r\nContent-Disposition: form-data; name="title"'),
        ("application/x-www-form-urlencoded", b"title=x&priority=high"),
        ("application/json; charset=latin-1", '{"title": "café"}'.encode("latin-1")),
        ("text/plain; charset=utf-16", '{"title": "x"}'.encode("utf-16")),
        ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00"),
    ]
    for content_type, body in odd:
        headers = {"Content-Type": content_type}
        yield Hostile(f"type {content_type}", "POST", "/tasks", 400, body, headers)
    gzipped = gzip.compress(GOOD.encode())
    yield Hostile("gzip body", "POST", "/tasks", 400, gzipped, {"Content-Encoding": "gzip"})


def odd_paths() -> Iterator[Hostile]:
    for method, path, status in [
        ("GET", "/tasks/%00", 404),
        ("PUT", "/tasks/%00", 404),
        ("DELETE", "/tasks/%00", 404),
        ("GET", "/tasks%00", 404),
        ("GET", "/%00", 404),
        ("GET", "/tasks/%zz", 404),
        ("GET", "/tasks/%", 404),
        ("GET", "/tasks/%2", 404),
        ("GET", "/tasks/..%2F..%2Fetc%2Fpasswd", 404),
        ("GET", "/tasks/" + "a" * 5000, 404),
        ("GET", "/tasks/%C3%28", 400),  # percent-encodes invalid UTF-8
        ("PUT", "/tasks/%ff%fe", 400),
        ("DELETE", "/tasks/%C0%AF", 400),
    ]:
        body = GOOD.encode() if method == "PUT" else None
        yield Hostile(f"{method} {path[:40]}", method, path, status, body)


def odd_headers() -> Iterator[Hostile]:
    long_id = {"X-Request-ID": "r" * 500}
    yield Hostile("500-char X-Request-ID", "GET", "/tasks", 400, None, long_id)
    yield Hostile(
        "500-char X-Request-ID, good body", "POST", "/tasks", 400, b'{"title": "x"}', long_id
    )
    yield Hostile("500-char X-Request-ID, bad body", "POST", "/tasks", 400, b"{", long_id)
    for if_match in ("garbage", '"unterminated', "*, *", '"a" "b"'):
        yield Hostile(
            f"If-Match {if_match}", "PUT", "{task}", 400, GOOD.encode(), {"If-Match": if_match}
        )
    yield Hostile("stale If-Match", "DELETE", "{task}", 412, None, {"If-Match": '"v999"'})


CORPUS = [
    *random_bodies(),
    *nested_bodies(),
    *wrong_types(),
    *bad_pages(),
    *methods_and_types(),
    *odd_paths(),
    *odd_headers(),
]
