"""GET /tasks pages: `?limit=N&after=ID`, a Link to the next page, the same body shape."""

from __future__ import annotations

import json
import re

from taskservice.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from tests.integration.support import AppTestCase, SqliteAppTestCase

NEXT = re.compile(r'^<(/tasks\?limit=(\d+)&after=([0-9a-f]{32}))>; rel="next"$')


class PaginationContract(AppTestCase):
    __test__ = False

    def create_many(self, count: int) -> list[str]:
        return sorted(self.create({"title": f"t{i}"}) for i in range(count))

    def walk(self, first: str) -> tuple[list[str], int]:
        """Follow Link rel=next from `first`; every id seen, in order, and how many pages."""
        seen: list[str] = []
        url: str | None = first
        pages = 0
        while url is not None:
            response = self.request("GET", url)
            assert response.code == 200, response.body
            page = json.loads(response.body)
            seen += page
            pages += 1
            link = response.headers.get("Link")
            if link is None:
                url = None
            else:
                match = NEXT.match(link)
                assert match, link
                assert match.group(3) == seen[-1]
                url = match.group(1)
        return seen, pages

    def test_small_list_is_one_page_with_no_link(self) -> None:
        ids = self.create_many(3)
        response = self.request("GET", "/tasks")
        assert list(json.loads(response.body)) == ids
        assert "Link" not in response.headers

    def test_pages_of_three_cover_every_task_once_in_order(self) -> None:
        ids = self.create_many(7)
        assert self.walk("/tasks?limit=3") == (ids, 3)

    def test_page_that_ends_at_the_last_task_has_no_link(self) -> None:
        ids = self.create_many(4)
        assert self.walk("/tasks?limit=2") == (ids, 2)

    def test_default_page_is_the_first_100_with_a_link_to_the_rest(self) -> None:
        ids = self.create_many(DEFAULT_PAGE_SIZE + 1)
        response = self.request("GET", "/tasks")
        assert list(json.loads(response.body)) == ids[:DEFAULT_PAGE_SIZE]
        link = response.headers["Link"]
        assert link == f'</tasks?limit={DEFAULT_PAGE_SIZE}&after={ids[99]}>; rel="next"'
        assert self.walk("/tasks") == (ids, 2)

    def test_page_keeps_the_id_to_task_shape(self) -> None:
        task_id = self.create({"title": "t", "priority": "high"})
        body = json.loads(self.request("GET", "/tasks?limit=1").body)
        assert body == {task_id: {"title": "t", "priority": "high", "completed": False}}

    def test_after_a_deleted_id_goes_on_from_its_place(self) -> None:
        ids = self.create_many(3)
        self.request("DELETE", f"/tasks/{ids[0]}")
        assert list(json.loads(self.request("GET", f"/tasks?after={ids[0]}").body)) == ids[1:]

    def test_after_the_last_id_is_an_empty_page(self) -> None:
        ids = self.create_many(2)
        response = self.request("GET", f"/tasks?after={ids[-1]}")
        assert (response.code, response.body) == (200, b"{}")
        assert "Link" not in response.headers

    def test_trailing_slash_pages_too(self) -> None:
        ids = self.create_many(2)
        assert list(json.loads(self.request("GET", "/tasks/?limit=1").body)) == ids[:1]

    def test_bad_parameters_get_400_naming_them_and_change_nothing(self) -> None:
        ids = self.create_many(2)
        cases = {
            "limit=0": "limit: must be a whole number from 1 to 1000",
            "limit=-1": "limit: must be a whole number",
            f"limit={MAX_PAGE_SIZE + 1}": "limit: must be a whole number",
            "limit=99999999999999999999999": "limit: must be a whole number",
            "limit=1.5": "limit: must be a whole number",
            "limit=abc": "limit: must be a whole number",
            "limit=": "limit: must be a whole number",
            "limit=%00": "limit: must be a whole number",
            "limit=1&limit=2": "limit: given more than once",
            "after=nope": "after: must be a task id",
            "after=%zz": "after: must be a task id",
            "after=%ff": "after: not valid UTF-8",
            f"after={ids[0].upper()}": "after: must be a task id",
            "page=2": "'page': unknown query parameter",
        }
        for query, message in cases.items():
            response = self.request("GET", f"/tasks?{query}")
            self.assert_json_error(response, 400, message)
        assert list(json.loads(self.request("GET", "/tasks").body)) == ids


class TestPaginationOnMemoryStore(PaginationContract):
    __test__ = True


class TestPaginationOnSqliteStore(PaginationContract, SqliteAppTestCase):
    __test__ = True
