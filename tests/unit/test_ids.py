"""Request ids: the shape of task ids, unique, led by the time."""

from __future__ import annotations

import time

from taskservice.ids import TASK_ID, new_request_id


def test_new_request_ids_are_32_hex_digits_and_unique() -> None:
    ids = {new_request_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(TASK_ID.fullmatch(i) for i in ids)


def test_new_request_ids_start_with_the_milliseconds_they_were_made() -> None:
    before = time.time_ns() // 1_000_000
    made = int(new_request_id()[:12], 16)
    assert before <= made <= time.time_ns() // 1_000_000
