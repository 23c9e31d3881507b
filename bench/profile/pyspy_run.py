"""py-spy against the service under load: attached (two recorders in turn), or launching it."""

from __future__ import annotations

import itertools
import math
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import cpus
from bench.load.runner import GRACE_S, RunResult
from bench.profile import pyspy, session
from bench.profile.options import ProfileRequest
from bench.profile.pyspy import IDLE, ONCPU
from bench.profile.session import ProfileError

READY_S = 20.0
"""How long a recorder may take to attach before the run gives up."""


@dataclass
class Recorder:
    """One `py-spy record --pid` process, its console output in `log`."""

    name: str
    cmd: list[str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    counts: tuple[int, int] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_sampling(self, timeout: float = READY_S) -> None:
        """Return once py-spy says it samples; ProfileError if it exits or takes too long."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while "Sampling process" not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = self.log.read_text(errors="replace").strip().splitlines()[-1:]
                raise ProfileError(f"py-spy ({self.name}) did not start: {''.join(tail)}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGINT: py-spy stops sampling and writes its file; then read its sample count."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.counts = pyspy.counts(self.log.read_text(errors="replace"))


@contextmanager
def in_turn(recorders: list[Recorder]) -> Iterator[None]:
    """The recorders sample one after another for the length of the block, each its share.

    Every recorder but the last stops by itself (its `--duration`); a relay thread then starts
    the next. Two recorders attached at once paused the service twice as often: its throughput
    fell to about 0.43x of an unprofiled run, against about 0.78x under one recorder.
    """
    done = threading.Event()

    def relay() -> None:
        for previous, following in itertools.pairwise(recorders):
            while previous.proc is not None and previous.proc.poll() is None:
                if done.wait(0.05):
                    return
            following.start()

    recorders[0].start()
    thread = threading.Thread(target=relay, name="py-spy relay", daemon=True)
    try:
        recorders[0].wait_sampling()
        thread.start()
        yield
    finally:
        done.set()
        if thread.is_alive():
            thread.join()
        for recorder in recorders:
            recorder.stop()


@dataclass
class Outcome:
    """A py-spy pass: the load's result, how py-spy got in, and samples/errors per picture."""

    result: RunResult
    mode: str
    counts: dict[str, tuple[int, int] | None] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # how long each picture sampled


def _bound(req: ProfileRequest) -> int:
    return math.ceil(req.duration_s + GRACE_S + 30)


def _record(
    req: ProfileRequest, exe: str, name: str, folder: Path, pid: int | None, duration_s: int
) -> list[str]:
    # py-spy pauses the service for every sample and walks its stacks: on the service's core it
    # would take CPU from the very thing it measures. On the generator's core it competes with
    # locust instead, which the run's generator-bound warning reports.
    generator = req.pinning.generator if req.pinning else None
    output = folder / f"{name}.collapsed"
    cmd = pyspy.record(exe, req.sampling, output, name == IDLE, pid, duration_s)
    return [*cpus.prefix(generator), *cmd]


def attach(
    req: ProfileRequest, folder: Path, names: tuple[str, ...] = (ONCPU, IDLE)
) -> Outcome | None:
    """Recorders attached to the running service, taking turns over the load (on-CPU first).

    None, after one line, when ptrace is refused.
    """
    exe = pyspy.executable()
    with session.service(req, folder / "server.log") as svc:
        failure = pyspy.probe(exe, svc.pid)
        if failure is not None:
            if failure.kind != "ptrace":
                raise ProfileError(failure.line())
            print(failure.line(), file=sys.stderr, flush=True)
            return None
        # Each takes an equal share of the load; the last one records until the load ends.
        share = max(1, round(req.duration_s / len(names)))
        durations = [share] * (len(names) - 1) + [_bound(req)]
        recorders = [
            Recorder(
                name, _record(req, exe, name, folder, svc.pid, seconds), folder / f"{name}.log"
            )
            for name, seconds in zip(names, durations, strict=True)
        ]
        with in_turn(recorders):
            result = session.drive(req, svc, folder)
    # The last recorder samples from the others' end to the load's, so about its share too.
    seconds = {name: req.duration_s / len(names) for name in names}
    return Outcome(result, "attach", {r.name: r.counts for r in recorders}, seconds)


def launch(req: ProfileRequest, folder: Path) -> Outcome:
    """py-spy starts the service and records it; one picture only, killed with it at the end."""
    exe = pyspy.executable()
    name = IDLE if req.idle else ONCPU
    which = "wall time including idle" if req.idle else "on-CPU (--idle: wall including idle)"
    print(
        f"profile: launch mode: py-spy starts the service, so one recorder only: {which}; "
        "it kills the service when it stops",
        file=sys.stderr,
        flush=True,
    )
    prefix = [*_record(req, exe, name, folder, None, _bound(req)), "--"]
    log = folder / "server.log"  # py-spy's own lines land here too, after the server's
    with session.service(req, log, prefix=prefix, stop_signal=signal.SIGINT, stop_wait=60) as svc:
        result = session.drive(req, svc, folder)
    counts = {name: pyspy.counts(log.read_text(errors="replace"))}
    return Outcome(result, "launch", counts, {name: req.duration_s})


def run(req: ProfileRequest, folder: Path) -> Outcome:
    """Attach, unless --launch or ptrace is refused; then launch."""
    if not req.launch:
        outcome = attach(req, folder)
        if outcome is not None:
            return outcome
    return launch(req, folder)
