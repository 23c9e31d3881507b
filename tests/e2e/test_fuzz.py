"""Property-based fuzzing (schemathesis) of a real server: no 5xx, every answer as documented.

Each operation gets requests generated from openapi.yaml, valid ones (positive) and invalid
ones (negative); then a bounded stateful run follows the spec's links (create, read, replace
with If-Match, delete) so that real tasks and real ETags are exercised too. Every response
runs through all of schemathesis's checks: not a server error, status code, content type,
headers and body schema as documented, valid data accepted, invalid data refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode

from taskservice.apispec import load_spec
from tests.support.server import TRANSPORTS, ServerProcess

# Bounded so that CI stays quick: about 20 s for the whole module on two shared cores.
EXAMPLES_PER_OPERATION = 20
STATEFUL_SCENARIOS = 20
STATEFUL_STEPS = 8
SETTINGS: dict[str, Any] = {
    "deadline": None,  # a shared CI core makes single requests slow now and then
    "database": None,  # no .hypothesis/ example files in the working tree
    "suppress_health_check": [
        hypothesis.HealthCheck.too_slow,
        hypothesis.HealthCheck.filter_too_much,
    ],
}
# Which statuses count as "accepted" valid data and "refused" invalid data. 304 answers a
# matching If-None-Match, 404 an id that names no task, and 412 a valid but stale If-Match.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "304", "404", "412"]},
            "negative_data_rejection": {"expected-statuses": ["400", "404", "413"]},
        }
    }
)
SPEC = load_spec()
OPERATIONS = [
    (
        path,
        method.upper(),
        bool(op.get("parameters") or op.get("requestBody") or item.get("parameters")),
    )
    for path, item in SPEC["paths"].items()
    for method, op in item.items()
    if method != "parameters" and path != "/openapi.json"  # the document itself is not fuzzed
]
# Negative data needs an input to break: operations that take none get positive cases only.
CASES = [
    pytest.param(path, method, mode, id=f"{method} {path} {mode.value}")
    for path, method, has_inputs in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if has_inputs or mode is GenerationMode.POSITIVE
]
STATUSES: Counter[tuple[str, int]] = Counter()


@pytest.fixture(scope="module", params=TRANSPORTS)
def fuzzed_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[ServerProcess]:
    """One durable server per transport; it must still stop cleanly after the fuzzing."""
    workdir = tmp_path_factory.mktemp("fuzz")
    args = ["--store", "sqlite:///tasks.db"]
    server = ServerProcess(workdir, args, http=request.param).start()
    try:
        yield server
        assert server.stop() == 0, server.stderr
        assert "Traceback" not in server.stderr
    finally:
        server.kill()


@pytest.fixture(scope="module")
def api(fuzzed_server: ServerProcess) -> Any:
    """The spec as the running server serves it at /openapi.json."""
    url = f"http://127.0.0.1:{fuzzed_server.port}/openapi.json"
    return schemathesis.openapi.from_url(url, config=CONFIG)


def call_and_validate(case: Any) -> None:
    response = case.call_and_validate(timeout=10)
    STATUSES[(case.operation.label, response.status_code)] += 1


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_generated_requests_get_documented_answers(
    api: Any, path: str, method: str, mode: GenerationMode
) -> None:
    before = STATUSES.total()

    @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, **SETTINGS)
    @hypothesis.given(case=api[path][method].as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        call_and_validate(case)

    check()
    assert STATUSES.total() > before  # examples really ran


def test_stateful_runs_through_links_get_documented_answers(api: Any) -> None:
    class Workflow(api.as_state_machine()):  # type: ignore[misc]
        def after_call(self, response: Any, case: Any) -> None:
            STATUSES[(f"stateful {case.operation.label}", response.status_code)] += 1

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS, **SETTINGS
        )
    )
    # The links led to real tasks: some were read, replaced and deleted, not only 404s.
    for label in ("GET /tasks/{task_id}", "PUT /tasks/{task_id}", "DELETE /tasks/{task_id}"):
        assert any(key == f"stateful {label}" and status < 300 for key, status in STATUSES), (
            label,
            sorted(STATUSES.items()),
        )
