"""Check an HTTP answer against openapi.yaml: status, required headers and body schema."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jsonschema_rs

from taskservice.apispec import load_spec


class SpecChecker:
    """Validates answers to documented operations, and records which statuses each one gave."""

    def __init__(self) -> None:
        self.spec = load_spec()
        self.seen: dict[tuple[str, str], set[int]] = {}

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a local $ref ('#/components/...') to what it names."""
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def _validate(self, schema: dict[str, Any], instance: object, where: str) -> None:
        # The components ride along so that the schema's own $refs resolve.
        root = {**schema, "components": self.spec["components"]}
        errors = [e.message for e in jsonschema_rs.Draft202012Validator(root).iter_errors(instance)]
        assert not errors, f"{where}: {errors}"

    def documented_statuses(self, path: str, method: str) -> set[int]:
        """The statuses openapi.yaml lists for one operation."""
        return {int(s) for s in self.spec["paths"][path][method.lower()]["responses"]}

    def check(
        self, path: str, method: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> None:
        """Assert the answer is one the spec allows for this operation; remember its status."""
        where = f"{method} {path} -> {status}"
        responses = self.spec["paths"][path][method.lower()]["responses"]
        assert str(status) in responses, f"{where}: status not documented"
        self.seen.setdefault((path, method.upper()), set()).add(status)
        response = self.resolve(responses[str(status)])
        lower = {k.lower(): v for k, v in headers.items()}
        for name, header in response.get("headers", {}).items():
            header = self.resolve(header)
            value = lower.get(name.lower())
            if value is None:
                assert not header.get("required"), f"{where}: missing header {name}"
            else:
                self._validate(header["schema"], value, f"{where}: header {name}")
        content = response.get("content")
        if content is None or method.upper() == "HEAD":
            assert body == b"", f"{where}: expected no body"
            return
        ((media_type, media),) = content.items()
        assert lower.get("content-type", "").split(";")[0] == media_type, where
        self._validate(media["schema"], json.loads(body), f"{where}: body")
