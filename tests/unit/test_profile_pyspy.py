"""py-spy: its command lines, its sample counts, and why it may not attach (its real messages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.profile import pyspy
from bench.profile.pyspy import Sampling

# What py-spy 0.4.3 printed here: as nobody against a root process, as root without
# CAP_SYS_PTRACE, for a pid that does not exist, and for a process that is not Python.
NOT_ROOT = """Permission Denied: Try running again with elevated permissions by going 'sudo env "PATH=$PATH" !!'
"""  # noqa: E501
NO_CAPABILITY = """Error: Failed to get process executable name. Check that the process is running.

Caused by:
    0: Permission denied (os error 13)
    1: Permission denied (os error 13)

Stack backtrace:
   0: <E as anyhow::context::ext::StdError>::ext_context
   1: py_spy::python_process_info::PythonProcessInfo::new
"""
NO_PROCESS = """Error: Failed to get process executable name. Check that the process is running.

Caused by:
    0: No such file or directory (os error 2)
    1: No such file or directory (os error 2)
"""
NOT_PYTHON = """Error: Failed to find python version from target process
"""
# py-spy's main.rs, for root in a Docker container whose ptrace is refused.
DOCKER = """Permission Denied

It looks like you are running in a docker container. Please make sure you started your container with the SYS_PTRACE capability. See https://github.com/benfred/py-spy#how-do-i-run-py-spy-in-docker for more details
"""  # noqa: E501
# Not captured here: EPERM (a seccomp or Yama refusal) as py-spy words it, with one cause.
EPERM = """Error: Failed to copy PyInterpreterState from process

Caused by:
    Operation not permitted (os error 1)
"""


@pytest.mark.parametrize("text", [NOT_ROOT, NO_CAPABILITY, DOCKER, EPERM])
def test_refused_ptrace_is_told_apart_so_launch_mode_can_take_over(text: str) -> None:
    failure = pyspy.classify(text, euid=0, yama_scope=None)
    assert failure.kind == "ptrace"
    assert "falling back to launch mode" in failure.line()
    assert "\n" not in failure.line()


def test_the_reason_is_the_deepest_cause_not_the_backtrace() -> None:
    assert pyspy.classify(NO_CAPABILITY, 0, None).reason == "Permission denied (os error 13)"
    assert pyspy.classify(EPERM, 0, None).reason == "Operation not permitted (os error 1)"


def test_in_docker_the_fix_is_the_ptrace_capability() -> None:
    assert "--cap-add SYS_PTRACE" in pyspy.classify(DOCKER, 0, None).fix


def test_as_root_without_the_capability_the_fix_is_to_grant_it() -> None:
    assert "CAP_SYS_PTRACE" in pyspy.classify(NO_CAPABILITY, 0, None).fix


def test_not_root_the_fix_is_root_and_yama_when_yama_restricts() -> None:
    assert pyspy.classify(NOT_ROOT, 1000, None).fix == "run as root (sudo)"
    fix = pyspy.classify(NOT_ROOT, 1000, 1).fix
    assert "sudo" in fix
    assert "sysctl kernel.yama.ptrace_scope=0" in fix


def test_a_process_that_is_gone_is_not_a_permission_problem() -> None:
    failure = pyspy.classify(NO_PROCESS, 0, None)
    assert failure.kind == "gone"
    assert "No such file or directory" in failure.line()


def test_anything_else_is_reported_as_py_spy_said_it() -> None:
    failure = pyspy.classify(NOT_PYTHON, 0, None)
    assert failure.kind == "other"
    assert failure.line().endswith("Failed to find python version from target process")


def test_sample_counts_are_read_from_the_last_summary() -> None:
    out = (
        "py-spy> Sampling process 100 times a second. Press Control-C to exit.\n"
        "py-spy> Wrote raw flamegraph data to 'x'. Samples: 431 Errors: 52\n"
    )
    assert pyspy.counts(out) == (431, 52)
    assert pyspy.counts("Samples: 1 Errors: 0\n...\nSamples: 9 Errors: 2") == (9, 2)
    assert pyspy.counts("py-spy> Sampling process 100 times a second.") is None


def test_record_writes_collapsed_stacks_without_line_numbers_bounded_in_time() -> None:
    cmd = pyspy.record("py-spy", Sampling(), Path("out.collapsed"), False, 42, 120)
    assert cmd[:2] == ["py-spy", "record"]
    assert cmd[cmd.index("--format") + 1] == "raw"
    assert "--nolineno" in cmd
    assert cmd[cmd.index("--rate") + 1] == "100"
    assert cmd[cmd.index("--duration") + 1] == "120"
    assert cmd[cmd.index("--output") + 1] == "out.collapsed"
    assert cmd[-2:] == ["--pid", "42"]
    assert not {"--idle", "--native", "--nonblocking"} & set(cmd)


def test_on_cpu_picture_keeps_only_the_gil_holder_by_default() -> None:
    cmd = pyspy.record("py-spy", Sampling(), Path("out.collapsed"), False, 42, 120)
    assert "--gil" in cmd


def test_no_gil_samples_every_thread_on_cpu() -> None:
    cmd = pyspy.record("py-spy", Sampling(gil=False), Path("out.collapsed"), False, 42, 120)
    assert "--gil" not in cmd


def test_wall_picture_never_filters_by_gil() -> None:
    cmd = pyspy.record("py-spy", Sampling(gil=True), Path("o"), True, 42, 120)
    assert "--idle" in cmd
    assert "--gil" not in cmd


def test_record_passes_idle_native_nonblocking_and_rate_through() -> None:
    sampling = Sampling(rate=250, native=True, gil=True, nonblocking=True)
    cmd = pyspy.record("py-spy", sampling, Path("o"), True, None, 9)
    assert {"--idle", "--native", "--nonblocking"} <= set(cmd)
    assert cmd[cmd.index("--rate") + 1] == "250"
    assert "--pid" not in cmd  # launch mode: the command follows after `--`
