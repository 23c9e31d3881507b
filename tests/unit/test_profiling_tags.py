"""Route tags: names to small ints, and a ContextVar that stays with the task that set it."""

from __future__ import annotations

import asyncio
import contextvars

from taskservice.profiling.tags import (
    LOOP,
    LOOP_NAME,
    OTHER_NAME,
    ROUTE_TAG,
    RouteTags,
    current_tag,
)


def test_loop_is_tag_zero_and_every_name_gets_its_own_tag() -> None:
    tags = RouteTags()
    assert tags.name(LOOP) == LOOP_NAME
    get, post = tags.tag("GET /tasks"), tags.tag("POST /tasks")
    assert len({LOOP, get, post}) == 3
    assert (tags.name(get), tags.name(post)) == ("GET /tasks", "POST /tasks")
    assert tags.tag("GET /tasks") == get
    assert tags.items() == [(LOOP, LOOP_NAME), (get, "GET /tasks"), (post, "POST /tasks")]


def test_unknown_tag_reads_as_the_loop() -> None:
    assert RouteTags().name(99) == LOOP_NAME


def test_names_past_the_limit_share_one_other_tag() -> None:
    tags = RouteTags(limit=4)
    first, second = tags.tag("a"), tags.tag("b")
    late = [tags.tag(name) for name in ("c", "d", "e")]
    assert len(set(late)) == 1
    assert tags.name(late[0]) == OTHER_NAME
    assert len({first, second, late[0]}) == 3
    assert len(tags.items()) == 4


def test_current_tag_is_the_loop_outside_any_request() -> None:
    assert contextvars.Context().run(current_tag) == LOOP


def test_tag_set_when_a_task_is_created_stays_with_that_task_only() -> None:
    seen: dict[str, int] = {}

    async def request(name: str) -> None:
        await asyncio.sleep(0.01)  # the other request runs meanwhile
        seen[name] = current_tag()

    async def connection() -> None:
        tasks = []
        for name, tag in (("a", 7), ("b", 8)):
            # What TaggedApplication does around handing a request to its handler.
            token = ROUTE_TAG.set(tag)
            try:
                tasks.append(asyncio.create_task(request(name)))
            finally:
                ROUTE_TAG.reset(token)
        seen["connection"] = current_tag()
        await asyncio.gather(*tasks)

    asyncio.run(connection())
    assert seen == {"a": 7, "b": 8, "connection": LOOP}
