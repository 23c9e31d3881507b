"""Reading wrk 4.1.0's printed report, captured from real runs, and the command that runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.ratios import wrk
from tests.support import needs

DATA = Path(__file__).parent / "data" / "wrk"


def parse(name: str) -> wrk.WrkResult:
    return wrk.parse((DATA / name).read_text())


def test_a_clean_run_has_its_rate_requests_and_percentiles_in_milliseconds() -> None:
    result = parse("latency_ms.txt")
    assert result.rps == 2659.70
    assert (result.requests, result.seconds) == (5320, 2.0)
    assert result.latency_ms == {"p50": 6.85, "p75": 8.77, "p90": 9.91, "p99": 11.44}
    assert result.errors == 0
    assert result.socket_errors == {"connect": 0, "read": 0, "write": 0, "timeout": 0}


def test_microsecond_latencies_become_fractions_of_a_millisecond() -> None:
    result = parse("latency_us.txt")
    assert result.latency_ms["p50"] == pytest.approx(0.370)
    assert result.latency_ms["p99"] == pytest.approx(0.846)


def test_second_latencies_become_thousands_of_milliseconds() -> None:
    # wrk pads "1.31s " with a space where the other units have a second letter.
    result = parse("latency_s.txt")
    assert result.latency_ms["p50"] == pytest.approx(1310.0)
    assert result.seconds == pytest.approx(3.01)
    assert result.rps == pytest.approx(3.32)


def test_non_2xx_responses_are_counted_as_errors() -> None:
    result = parse("non_2xx.txt")
    assert result.non_2xx == 1890
    assert result.errors == 1890


def test_socket_errors_and_non_2xx_add_up() -> None:
    result = parse("read_errors_and_non_2xx.txt")
    assert result.socket_errors == {"connect": 0, "read": 97, "write": 0, "timeout": 0}
    assert result.non_2xx == 97
    assert result.errors == 194


def test_timeouts_are_socket_errors() -> None:
    result = parse("timeouts.txt")
    assert result.socket_errors["timeout"] == 10
    assert result.errors == 10


@pytest.mark.parametrize(
    "text",
    [
        "",
        "unable to connect to 127.0.0.1:1 Connection refused",
        # a report without --latency has no percentiles
        "  5320 requests in 2.00s, 1.06MB read\nRequests/sec:   2659.70\n",
    ],
)
def test_anything_but_a_latency_report_is_refused(text: str) -> None:
    with pytest.raises(wrk.WrkError, match="not a wrk --latency report"):
        wrk.parse(text)


def test_the_command_pins_wrk_and_asks_for_one_thread_and_percentiles() -> None:
    cmd = wrk.command("http://127.0.0.1:9/tasks", 5, 20, (1,))
    assert cmd == [
        "taskset", "-c", "1", "wrk", "-t1", "-c20", "-d5s", "--latency", "http://127.0.0.1:9/tasks"
    ]  # fmt: skip


def test_the_command_runs_a_script_for_post_and_is_unpinned_without_cores() -> None:
    cmd = wrk.command("http://127.0.0.1:9/tasks", 1, 4, None, Path("post.lua"))
    assert cmd[0] == "wrk"
    assert cmd[cmd.index("-s") + 1] == "post.lua"


def test_the_post_script_sends_the_tutorials_task() -> None:
    assert 'wrk.method = "POST"' in wrk.POST_SCRIPT
    assert """wrk.body = '{"title": "Task1"}'""" in wrk.POST_SCRIPT


def test_a_wrk_that_fails_is_an_error_naming_its_last_words(tmp_path: Path) -> None:
    # Nothing listens on port 9 of loopback: wrk cannot connect and exits 1.
    if shutil.which("wrk") is None:
        needs.skip_or_fail(needs.WRK, "wrk is not installed (apt-get install wrk)")
    with pytest.raises(wrk.WrkError, match="wrk exited with 1: unable to connect"):
        wrk.run("http://127.0.0.1:9/", 1, 1, None)
