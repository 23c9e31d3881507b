"""py-spy's command lines, what its output says, and why it may not attach."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ONCPU = "pyspy-oncpu"
IDLE = "pyspy-idle"
TITLES = {ONCPU: "py-spy on-CPU", IDLE: "py-spy wall (idle included)"}
_COUNTS = re.compile(r"Samples: (\d+) Errors: (\d+)")
_PTRACE = ("permission denied", "operation not permitted", "sys_ptrace")
_GONE = ("no such file or directory", "no such process")


class PySpyMissing(RuntimeError):
    """py-spy is not installed next to this Python nor on PATH."""


@dataclass(frozen=True)
class Sampling:
    """How py-spy samples: `--rate`, and the `--native`, `--gil`, `--nonblocking` it passes on."""

    rate: int = 100
    native: bool = False
    gil: bool = True  # the on-CPU picture only: a waiting thread never holds the GIL
    nonblocking: bool = False  # no pause per sample: cheaper, but some samples fail


def executable() -> str:
    """The py-spy installed with this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise PySpyMissing("py-spy is not installed; `./run.py` installs the profile extra")
    return found


def record(
    exe: str, sampling: Sampling, output: Path, idle: bool, pid: int | None, bound_s: int
) -> list[str]:
    """`py-spy record` writing collapsed stacks without line numbers (so runs compare).

    The harness stops it with SIGINT once the load ends; `bound_s` stops it anyway if the
    harness never does, so no recorder outlives its run. `--gil` applies to the on-CPU picture
    only: the wall picture (`idle`) keeps every thread, waiting ones included.
    """
    cmd = [exe, "record", "--format", "raw", "--nolineno", "--rate", str(sampling.rate)]
    cmd += ["--duration", str(bound_s), "--output", str(output)]
    cmd += ["--idle"] * idle + ["--native"] * sampling.native
    cmd += ["--gil"] * (sampling.gil and not idle)
    cmd += ["--nonblocking"] * sampling.nonblocking
    return cmd + (["--pid", str(pid)] if pid is not None else [])


def counts(text: str) -> tuple[int, int] | None:
    """(samples, errors) from py-spy's last `Samples: N Errors: M`, if it got that far."""
    found = _COUNTS.findall(text)
    return (int(found[-1][0]), int(found[-1][1])) if found else None


@dataclass(frozen=True)
class AttachFailure:
    """Why `py-spy --pid` failed: `ptrace` (refused: launch mode helps), `gone`, or `other`."""

    kind: str
    reason: str
    fix: str = ""

    def line(self) -> str:
        """The one line a person reads."""
        if self.kind == "ptrace":
            return (
                f"profile: py-spy may not attach to the service ({self.reason}); "
                f"fix: {self.fix}; falling back to launch mode"
            )
        if self.kind == "gone":
            return f"profile: the service was gone before py-spy could attach ({self.reason})"
        return f"profile: py-spy could not attach to the service: {self.reason}"


def _reason(text: str) -> str:
    """The most specific cause in py-spy's error text: the last line under `Caused by:` (less
    its `N: `), else the first line."""
    body = text.split("Stack backtrace:", 1)[0]
    head, _, causes = body.partition("Caused by:")
    lines = [line.strip() for line in causes.splitlines() if line.strip()]
    if lines:
        return re.sub(r"^\d+: ", "", lines[-1])
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    return lines[0].removeprefix("Error: ") if lines else "no output"


def ptrace_fix(text: str, euid: int, yama_scope: int | None) -> str:
    """What lets py-spy attach, given who we are and what refused us."""
    if "docker" in text.lower():
        return "start the container with `--cap-add SYS_PTRACE`"
    if euid != 0:
        yama = (
            " or `sysctl kernel.yama.ptrace_scope=0`"
            if yama_scope is not None and yama_scope > 0
            else ""
        )
        return f"run as root (sudo){yama}"
    return "grant CAP_SYS_PTRACE (Docker: `--cap-add SYS_PTRACE`; Kubernetes: securityContext)"


def classify(text: str, euid: int, yama_scope: int | None) -> AttachFailure:
    """Sort py-spy's error output into a failure a person can act on."""
    lowered = text.lower()
    if any(key in lowered for key in _PTRACE):
        return AttachFailure("ptrace", _reason(text), ptrace_fix(text, euid, yama_scope))
    if any(key in lowered for key in _GONE):
        return AttachFailure("gone", _reason(text))
    return AttachFailure("other", _reason(text))


def yama_scope() -> int | None:
    """kernel.yama.ptrace_scope, or None where Yama is not loaded."""
    try:
        return int(Path("/proc/sys/kernel/yama/ptrace_scope").read_text())
    except (OSError, ValueError):
        return None


def probe(exe: str, pid: int, timeout: float = 30.0) -> AttachFailure | None:
    """`py-spy dump --pid`: None when py-spy may read the process, else why not."""
    env = {**os.environ, "RUST_BACKTRACE": "0"}
    try:
        done = subprocess.run(
            [exe, "dump", "--pid", str(pid)], capture_output=True, text=True, env=env,
            timeout=timeout, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return AttachFailure("other", f"`py-spy dump` took over {timeout:g} s")
    if done.returncode == 0:
        return None
    return classify(done.stderr + done.stdout, os.geteuid(), yama_scope())
