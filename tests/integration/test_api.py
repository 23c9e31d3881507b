"""Every endpoint of the API, through the real Tornado application, on each store."""

from __future__ import annotations

import json

from tests.integration.support import JSON_TYPE, AppTestCase, SqliteAppTestCase


class ApiContract(AppTestCase):
    """The tutorial's API: status codes, headers and bodies."""

    __test__ = False

    def test_post_returns_201_with_location_and_empty_body(self) -> None:
        response = self.request("POST", "/tasks", '{"title": "Task1"}')
        assert response.code == 201
        assert response.reason == "Created"
        assert response.body == b""
        location = response.headers["Location"]
        assert location.startswith("/tasks/")
        assert len(location.removeprefix("/tasks/")) == 32

    def test_post_accepts_json_body_whatever_the_content_type(self) -> None:
        for content_type in (
            "application/x-www-form-urlencoded",  # curl -d's default
            "text/plain",
            "application/json",
            "multipart/form-data; boundary=xyz",
        ):
            response = self.request(
                "POST", "/tasks", '{"title": "Task1"}', headers={"Content-Type": content_type}
            )
            assert response.code == 201, (content_type, response.body)

    def test_get_returns_the_task_as_json(self) -> None:
        task_id = self.create({"title": "Task1", "description": "d", "due_date": 1.5})
        response = self.request("GET", f"/tasks/{task_id}")
        assert response.code == 200
        assert response.headers["Content-Type"] == JSON_TYPE
        assert json.loads(response.body) == {
            "title": "Task1",
            "description": "d",
            "priority": "none",
            "completed": False,
            "due_date": 1.5,
        }

    def test_get_list_maps_each_id_to_its_task(self) -> None:
        first = self.create({"title": "one"})
        second = self.create({"title": "two", "completed": True})
        response = self.request("GET", "/tasks")
        assert response.code == 200
        assert response.headers["Content-Type"] == JSON_TYPE
        assert json.loads(response.body) == {
            first: {"title": "one", "priority": "none", "completed": False},
            second: {"title": "two", "priority": "none", "completed": True},
        }

    def test_get_list_of_no_tasks_is_empty_object(self) -> None:
        response = self.request("GET", "/tasks")
        assert (response.code, response.body) == (200, b"{}")

    def test_put_returns_204_and_replaces_the_whole_task(self) -> None:
        task_id = self.create({"title": "Task1", "priority": "high", "description": "old"})
        response = self.request("PUT", f"/tasks/{task_id}", '{"title": "Task2"}')
        assert (response.code, response.body) == (204, b"")
        got = json.loads(self.request("GET", f"/tasks/{task_id}").body)
        assert got == {"title": "Task2", "priority": "none", "completed": False}

    def test_delete_returns_204_and_removes_the_task(self) -> None:
        task_id = self.create({"title": "Task1"})
        response = self.request("DELETE", f"/tasks/{task_id}")
        assert (response.code, response.body) == (204, b"")
        assert self.request("GET", f"/tasks/{task_id}").code == 404
        assert self.request("GET", "/tasks").body == b"{}"

    def test_task_read_with_get_round_trips_through_put(self) -> None:
        task_id = self.create(
            {"title": "t", "completed": True, "priority": "low", "due_date": 1700000000}
        )
        before = self.request("GET", f"/tasks/{task_id}").body
        assert self.request("PUT", f"/tasks/{task_id}", before).code == 204
        assert self.request("GET", f"/tasks/{task_id}").body == before

    def test_unicode_and_control_characters_come_back_exactly(self) -> None:
        title = 'Überweisung 日本 🚀 "q" \\ \t nul\x00 \n\r\u2028'
        task_id = self.create({"title": title, "description": "\x1b[31mred"})
        got = json.loads(self.request("GET", f"/tasks/{task_id}").body)
        assert (got["title"], got["description"]) == (title, "\x1b[31mred")

    def test_trailing_slash_is_accepted(self) -> None:
        response = self.request("POST", "/tasks/", '{"title": "slash"}')
        assert response.code == 201
        task_id = response.headers["Location"].removeprefix("/tasks/")
        assert self.request("GET", f"/tasks/{task_id}/").code == 200
        assert task_id in json.loads(self.request("GET", "/tasks/").body)

    def test_healthz_returns_200_json(self) -> None:
        response = self.request("GET", "/healthz")
        assert response.code == 200
        assert response.headers["Content-Type"] == JSON_TYPE
        assert json.loads(response.body) == {"status": "ok"}

    def test_healthz_answers_head_without_a_body(self) -> None:
        response = self.request("HEAD", "/healthz")
        assert (response.code, response.body) == (200, b"")


class TestApiOnMemoryStore(ApiContract):
    __test__ = True


class TestApiOnSqliteStore(ApiContract, SqliteAppTestCase):
    __test__ = True
