"""openapi.yaml stays in step with the data model, the paging rules and the routes."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
import tornado.routing

from taskservice import datamodel, ids, paging
from taskservice.apispec import load_spec
from taskservice.config import Config
from taskservice.service import TodoListService
from taskservice.store import MemoryStore
from taskservice.tornado.app import make_app
from taskservice.tornado.basehandler import _SANE_REQUEST_ID, BaseHandler
from taskservice.tornado.etags import IF_MATCH_PATTERN, etag_for

HTTP_METHODS = {"get", "head", "post", "put", "delete", "patch", "options", "trace"}
SPEC = load_spec()
SCHEMAS = SPEC["components"]["schemas"]
TASK = SCHEMAS["Task"]


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref ('#/components/...') to what it names."""
    while "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_spec_is_a_valid_openapi_3_1_document() -> None:
    import schemathesis  # here, not at the top: it takes seconds to import, for this test only

    assert SPEC["openapi"].startswith("3.1.")
    schemathesis.openapi.from_dict(SPEC).validate()  # against the OpenAPI 3.1 meta-schema


def test_task_fields_are_the_data_models_fields() -> None:
    assert tuple(TASK["properties"]) == datamodel.FIELDS
    assert TASK["required"] == ["title"]
    assert TASK["additionalProperties"] is False


def test_task_field_types_match_the_data_model() -> None:
    types = {name: field["type"] for name, field in TASK["properties"].items()}
    assert types == {
        "title": "string",
        "description": "string",
        "priority": "string",
        "completed": "boolean",
        "due_date": "number",
    }


def test_task_limits_and_defaults_match_the_data_model() -> None:
    fields = TASK["properties"]
    assert fields["title"]["maxLength"] == datamodel.TITLE_MAX_CHARS
    assert fields["title"]["minLength"] == 1
    assert fields["description"]["maxLength"] == datamodel.DESCRIPTION_MAX_CHARS
    assert tuple(fields["priority"]["enum"]) == datamodel.PRIORITIES
    assert fields["due_date"]["minimum"] == datamodel.NUMBER_MIN
    assert fields["due_date"]["maximum"] == datamodel.NUMBER_MAX
    defaults = datamodel.Task("t")
    assert fields["priority"]["default"] == defaults.priority
    assert fields["completed"]["default"] == defaults.completed


def test_title_pattern_accepts_exactly_the_titles_that_are_not_blank() -> None:
    # The data model calls a title blank when str.strip() leaves nothing; the spec says it with
    # a pattern. Compare the two on every code point.
    pattern = re.compile(TASK["properties"]["title"]["pattern"])
    disagree = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF
        and (pattern.search(chr(code)) is not None) != bool(chr(code).strip())
    ]
    assert disagree == []


def test_ids_paging_and_etags_match_the_code() -> None:
    assert SCHEMAS["TaskId"]["pattern"] == f"^{ids.TASK_ID.pattern}$"
    assert SCHEMAS["TaskPage"]["maxProperties"] == paging.MAX_PAGE_SIZE
    params = {p["name"]: p for p in SPEC["paths"]["/tasks"]["get"]["parameters"] if "name" in p}
    assert set(params) == set(paging.PARAMETERS)
    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": paging.MAX_PAGE_SIZE,
        "default": paging.DEFAULT_PAGE_SIZE,
    }
    if_match = SPEC["components"]["parameters"]["IfMatch"]["schema"]["pattern"]
    assert if_match == IF_MATCH_PATTERN
    etag = re.compile(SPEC["components"]["headers"]["ETag"]["schema"]["pattern"])
    assert all(etag.fullmatch(etag_for(version)) for version in (1, 9, 10, 12345))


def test_error_schema_names_the_fields_every_error_has() -> None:
    error = SCHEMAS["Error"]
    assert error["required"] == ["method", "uri", "code", "message"]
    assert set(error["properties"]) == {"method", "uri", "code", "message", "trace"}


def named_routes() -> dict[str, type[BaseHandler]]:
    app = make_app(Config(store_url="memory://"), TodoListService(MemoryStore()))
    routes = {}
    for rule in app.wildcard_router.rules:
        assert isinstance(rule, tornado.routing.URLSpec)
        assert rule.name is not None, f"route {rule.regex.pattern} has no name"
        assert issubclass(rule.target, BaseHandler)
        routes[rule.name] = rule.target
    return routes


def test_every_route_is_a_documented_path_and_every_path_a_route() -> None:
    assert set(named_routes()) == set(SPEC["paths"])


@pytest.mark.parametrize("path", sorted(SPEC["paths"]))
def test_documented_methods_are_the_ones_the_handler_implements(path: str) -> None:
    documented = {m.upper() for m in SPEC["paths"][path] if m in HTTP_METHODS}
    assert documented == set(named_routes()[path].allowed_methods())


@pytest.mark.parametrize("path", sorted(SPEC["paths"]))
def test_route_pattern_matches_its_documented_path(path: str) -> None:
    app = make_app(Config(store_url="memory://"), TodoListService(MemoryStore()))
    (rule,) = [r for r in app.wildcard_router.rules if getattr(r, "name", None) == path]
    assert isinstance(rule, tornado.routing.URLSpec)
    assert rule.regex.fullmatch(path.replace("{task_id}", "0" * 32))


def test_every_operation_documents_its_errors_as_json() -> None:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for status, response in operation["responses"].items():
                response = resolve(response)
                if int(status) >= 400:
                    content = response["content"]["application/json"]["schema"]
                    assert content == {"$ref": "#/components/schemas/Error"}, (path, method)
                for name in ("X-Request-ID", "X-Content-Type-Options"):
                    assert name in response["headers"], (path, method, status, name)


@pytest.mark.parametrize(
    "sent", ["req-42", "x" * 128, "x" * 129, "", "tab\there", "ünïcode", " spaced out ", "~!"]
)
def test_request_id_rule_in_the_spec_matches_the_server(sent: str) -> None:
    schema = load_spec()["components"]["parameters"]["RequestId"]["schema"]
    by_spec = (
        schema["minLength"] <= len(sent) <= schema["maxLength"]
        and re.search(schema["pattern"], sent) is not None
    )
    assert by_spec == (_SANE_REQUEST_ID.fullmatch(sent) is not None)
