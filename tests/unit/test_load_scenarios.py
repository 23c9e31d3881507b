"""The load scenarios against an in-memory API: each request checked, failures reported."""

from __future__ import annotations

import pytest

from bench.load import bad_input, tasks
from bench.load.api import Api, Client, Owned
from bench.load.scenarios import SCENARIOS
from tests.support.fake_api import FakeService


def api_for(service: FakeService, **kw: object) -> Api:
    client: Client = service
    return Api(client, Owned(), **kw)  # type: ignore[arg-type]


def run_scenario(name: str, service: FakeService, iterations: int = 200) -> Api:
    api = api_for(service)
    scenario = SCENARIOS[name]
    if scenario.setup:
        scenario.setup(api)
    for _ in range(iterations // len(scenario.tasks) + 1):
        for fn in scenario.tasks:  # round robin, so reads follow writes
            fn(api)
    return api


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_scenario_passes_against_a_correct_service(name: str) -> None:
    service = FakeService()
    if SCENARIOS[name].seed:
        for _ in range(SCENARIOS[name].seed):
            api_for(service).create(tasks.new_task())
    run_scenario(name, service)
    assert service.calls
    assert service.failures() == []


def test_crud_lifecycle_creates_reads_updates_then_lists() -> None:
    service = FakeService()
    tasks.crud_lifecycle(api_for(service))
    assert [(c.method, c.name) for c in service.calls[:4]] == [
        ("POST", "/tasks"),
        ("GET", "/tasks/{id}"),
        ("PUT", "/tasks/{id}"),
        ("GET", "/tasks"),
    ]


def test_a_user_keeps_at_most_keep_tasks_stored() -> None:
    service = FakeService()
    api = api_for(service)
    for _ in range(100):
        tasks.crud_lifecycle(api)
    assert len(service.tasks) <= tasks.KEEP
    assert any(c.method == "DELETE" for c in service.calls)


def test_a_lost_update_is_reported_as_a_failure() -> None:
    service = FakeService(broken="loses-updates")
    run_scenario("read-heavy", service)
    assert any("changed" in str(c.response.result) or "differs" in str(c.response.result)
               for c in service.failures())  # fmt: skip


def test_bad_input_accepted_is_a_failure() -> None:
    service = FakeService(broken="accepts-anything")
    run_scenario("bad-input", service)
    assert any("accepted with 201" in str(c.response.result) for c in service.failures())


def test_a_server_error_is_a_failure_even_for_bad_input() -> None:
    service = FakeService(broken="500")
    bad_input.get_unknown(api_for(service))
    assert service.failures()[0].response.result == "server error 500 on bad input"


def test_no_response_is_reported_as_a_transport_failure() -> None:
    service = FakeService(broken="down")
    assert api_for(service).create(tasks.new_task()) is None
    assert str(service.failures()[0].response.result).startswith("no response: refused")


def test_open_model_charges_the_intended_start_to_the_first_request_only() -> None:
    service = FakeService()
    tasks.crud_lifecycle(api_for(service, due=123.5, open_model=True))
    contexts = [c.context for c in service.calls]
    assert contexts[0] == {"due": 123.5}
    assert all(c == {"due": None} for c in contexts[1:])


def test_closed_model_requests_carry_no_intended_start() -> None:
    service = FakeService()
    tasks.crud_lifecycle(api_for(service))
    assert all(c.context == {} for c in service.calls)


def test_a_listed_task_is_found_on_its_own_page_in_a_big_store() -> None:
    service = FakeService()
    seeder = api_for(service)
    for _ in range(3 * 100):  # three default pages: the newest task is far past the first
        seeder.create(tasks.new_task())
    tasks.crud_lifecycle(api_for(service))
    listing = [c for c in service.calls if c.method == "GET" and c.name == "/tasks"][-1]
    assert listing.url.startswith("/tasks?limit=10&after=")
    assert service.failures() == []


def test_page_from_names_the_id_just_below_the_task() -> None:
    assert tasks.page_from("0" * 31 + "a") == "limit=10&after=" + "0" * 31 + "9"
    assert tasks.page_from("01a2" + "0" * 28) == "limit=10&after=01a1" + "f" * 28


def test_a_failed_update_is_one_failure_not_a_run_of_false_mismatches() -> None:
    service = FakeService(broken="put-503")
    run_scenario("read-heavy", service, iterations=400)
    failed = service.failures()
    assert failed
    assert {c.method for c in failed} == {"PUT"}
