"""`./run.py load` commands run side by side, as a master and workers on separate machines are."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.server import REPO


@dataclass
class LoadCommand:
    """One `./run.py load ARGS` in the background; its output goes to files in `workdir`."""

    name: str
    args: list[str]
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = field(default=0.0)

    def start(self) -> LoadCommand:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(REPO / "run.py"), "load", *self.args],
                cwd=REPO,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
            )
        self.started_at = time.monotonic()
        return self

    @property
    def out_path(self) -> Path:
        return self.workdir / f"{self.name}.out"

    @property
    def err_path(self) -> Path:
        return self.workdir / f"{self.name}.err"

    @property
    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    def wait(self, timeout: float) -> int:
        """Its exit code once it ends by itself; fails the test if it is still running after."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{self.name} still running after {timeout:g}s\n{self.stdout}\n{self.stderr}"
            ) from None

    def stop(self) -> None:
        """SIGTERM (the harness then stops the locust processes it started), SIGKILL if need be."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def output(self) -> str:
        return f"--- {self.name} stdout\n{self.stdout}\n--- {self.name} stderr\n{self.stderr}"


def wait_for_text(command: LoadCommand, text: str, timeout: float) -> None:
    """Wait until `text` shows in the command's stdout; fails the test if it does not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in command.stdout:
            return
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {command.name}'s output\n{command.output()}")
