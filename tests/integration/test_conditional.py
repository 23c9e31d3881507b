"""ETags and conditional requests: lost updates are refused, unchanged reads are cheap."""

from __future__ import annotations

import json

from tests.integration.support import AppTestCase, SqliteAppTestCase


class ConditionalContract(AppTestCase):
    __test__ = False

    def etag(self, task_id: str) -> str:
        response = self.request("GET", f"/tasks/{task_id}")
        assert response.code == 200
        return response.headers["ETag"]

    def title(self, task_id: str) -> str:
        title: str = json.loads(self.request("GET", f"/tasks/{task_id}").body)["title"]
        return title

    def put(self, task_id: str, title: str, if_match: str | None = None) -> int:
        headers = {} if if_match is None else {"If-Match": if_match}
        body = json.dumps({"title": title})
        return self.request("PUT", f"/tasks/{task_id}", body, headers=headers).code

    def test_get_returns_a_strong_etag_of_the_version(self) -> None:
        task_id = self.create({"title": "t"})
        assert self.etag(task_id) == '"v1"'

    def test_etag_changes_on_every_put_and_the_204_carries_the_new_one(self) -> None:
        task_id = self.create({"title": "t"})
        tags = [self.etag(task_id)]
        for i in range(3):
            response = self.request("PUT", f"/tasks/{task_id}", json.dumps({"title": f"t{i}"}))
            assert response.code == 204
            assert response.headers["ETag"] == self.etag(task_id)
            tags.append(response.headers["ETag"])
        assert len(set(tags)) == 4

    def test_same_content_written_again_still_gets_a_new_etag(self) -> None:
        task_id = self.create({"title": "t"})
        before = self.etag(task_id)
        assert self.put(task_id, "t") == 204
        assert self.etag(task_id) != before

    def test_put_with_the_current_etag_succeeds(self) -> None:
        task_id = self.create({"title": "t"})
        assert self.put(task_id, "new", self.etag(task_id)) == 204
        assert self.title(task_id) == "new"

    def test_put_stale_etag_returns_412_and_keeps_the_task(self) -> None:
        task_id = self.create({"title": "t"})
        old = self.etag(task_id)
        assert self.put(task_id, "first writer", old) == 204
        response = self.request(
            "PUT", f"/tasks/{task_id}", '{"title": "second writer"}', headers={"If-Match": old}
        )
        self.assert_json_error(response, 412, "has changed since the version you named")
        assert response.reason == "Precondition Failed"
        assert self.title(task_id) == "first writer"

    def test_delete_with_a_stale_etag_returns_412_and_keeps_the_task(self) -> None:
        task_id = self.create({"title": "t"})
        old = self.etag(task_id)
        assert self.put(task_id, "edited", old) == 204
        response = self.request("DELETE", f"/tasks/{task_id}", headers={"If-Match": old})
        self.assert_json_error(response, 412, "has changed")
        assert self.title(task_id) == "edited"

    def test_delete_with_the_current_etag_removes_the_task(self) -> None:
        task_id = self.create({"title": "t"})
        current = self.etag(task_id)
        response = self.request("DELETE", f"/tasks/{task_id}", headers={"If-Match": current})
        assert response.code == 204
        assert self.request("GET", f"/tasks/{task_id}").code == 404

    def test_star_matches_any_version_of_an_existing_task(self) -> None:
        task_id = self.create({"title": "t"})
        self.put(task_id, "v2")
        assert self.put(task_id, "v3", "*") == 204
        response = self.request("DELETE", f"/tasks/{task_id}", headers={"If-Match": "*"})
        assert response.code == 204

    def test_if_match_on_a_missing_task_is_404_not_412(self) -> None:
        # RFC 9110 13.2.1: a failure found before the precondition is looked at wins.
        gone = "0" * 32
        for if_match in ("*", '"v1"'):
            response = self.request(
                "PUT", f"/tasks/{gone}", '{"title": "t"}', headers={"If-Match": if_match}
            )
            self.assert_json_error(response, 404, "not found")
            response = self.request("DELETE", f"/tasks/{gone}", headers={"If-Match": if_match})
            self.assert_json_error(response, 404, "not found")

    def test_list_of_etags_matches_when_the_current_one_is_in_it(self) -> None:
        task_id = self.create({"title": "t"})
        current = self.etag(task_id)
        assert self.put(task_id, "new", f'"v7", {current}, "other"') == 204

    def test_weak_etag_never_matches_if_match(self) -> None:
        task_id = self.create({"title": "t"})
        assert self.put(task_id, "new", "W/" + self.etag(task_id)) == 412
        assert self.title(task_id) == "t"

    def test_malformed_if_match_returns_400_and_keeps_the_task(self) -> None:
        task_id = self.create({"title": "t"})
        for bad in ("v1", '"v1', '*, "v1"', '"v1" garbage'):
            response = self.request(
                "PUT", f"/tasks/{task_id}", '{"title": "x"}', headers={"If-Match": bad}
            )
            self.assert_json_error(response, 400, "If-Match: expected")
            response = self.request("DELETE", f"/tasks/{task_id}", headers={"If-Match": bad})
            self.assert_json_error(response, 400, "If-Match: expected")
        assert self.title(task_id) == "t"

    def test_invalid_body_is_400_even_with_a_stale_etag(self) -> None:
        task_id = self.create({"title": "t"})
        old = self.etag(task_id)
        self.put(task_id, "edited")
        response = self.request(
            "PUT", f"/tasks/{task_id}", '{"title": 5}', headers={"If-Match": old}
        )
        self.assert_json_error(response, 400, "title: must be a string")

    def test_if_none_match_with_the_current_etag_gets_304_without_a_body(self) -> None:
        task_id = self.create({"title": "t"})
        current = self.etag(task_id)
        for tag in (current, "*", "W/" + current, f'"v9", {current}'):
            response = self.request("GET", f"/tasks/{task_id}", headers={"If-None-Match": tag})
            assert (response.code, response.body) == (304, b""), tag
            assert response.headers["ETag"] == current
            assert "Content-Type" not in response.headers

    def test_if_none_match_with_an_old_etag_gets_the_new_task(self) -> None:
        task_id = self.create({"title": "t"})
        old = self.etag(task_id)
        self.put(task_id, "new")
        response = self.request("GET", f"/tasks/{task_id}", headers={"If-None-Match": old})
        assert response.code == 200
        assert json.loads(response.body)["title"] == "new"

    def test_if_none_match_on_a_missing_task_is_404(self) -> None:
        response = self.request("GET", "/tasks/" + "0" * 32, headers={"If-None-Match": "*"})
        self.assert_json_error(response, 404, "not found")

    def test_no_etag_where_there_is_no_version(self) -> None:
        self.create({"title": "t"})
        for path in ("/tasks", "/healthz"):
            assert "Etag" not in self.request("GET", path).headers, path


class TestConditionalOnMemoryStore(ConditionalContract):
    __test__ = True


class TestConditionalOnSqliteStore(ConditionalContract, SqliteAppTestCase):
    __test__ = True
