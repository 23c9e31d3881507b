"""The API's OpenAPI 3.1 description, shipped inside the package as openapi.yaml."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml


@cache
def load_spec() -> dict[str, Any]:
    """The parsed openapi.yaml (read once; callers must not change it)."""
    spec: dict[str, Any] = yaml.safe_load(files("taskservice").joinpath("openapi.yaml").read_text())
    return spec
