"""What `./run.py profile` is asked to do: one frozen value the tools and the overhead share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.load.cpus import Pinning
from bench.load.options import LoadOptions
from bench.load.service import LOAD_CONFIG, ROOT
from bench.profile.pyspy import Sampling

PROFILES = ROOT / "profiles"
TOOLS = ("py-spy", "yappi")
CLOCKS = ("wall", "cpu", "both")


@dataclass(frozen=True)
class ProfileRequest:
    """A profiling run: the tool, the load that drives it, and where its folder goes."""

    tool: str | None = None
    scenario: str = "crud"
    duration_s: float = 30.0
    users: int | None = None
    rate: float | None = None
    profiles: Path = PROFILES
    config: Path = LOAD_CONFIG
    http: str | None = None  # the service's --http; None: its config's (llhttp)
    sampling: Sampling = field(default_factory=Sampling)
    idle: bool = False  # launch mode records wall-including-idle instead of on-CPU
    launch: bool = False
    clock: str = "both"
    rounds: int = 3
    pinning: Pinning | None = None  # planned once, before the harness pins itself

    @property
    def clocks(self) -> tuple[str, ...]:
        """yappi's clocks, one pass each: a process has one clock."""
        return ("wall", "cpu") if self.clock == "both" else (self.clock,)

    def load_options(self, folder: Path) -> LoadOptions:
        """The locust run against the service the profiler started; reports go in `folder`."""
        return LoadOptions(
            scenario=self.scenario,
            users=self.users,
            duration_s=self.duration_s,
            rate=self.rate,
            config=self.config,
            out_dir=folder,
        )

    @property
    def user_count(self) -> int:
        """The users locust runs (closed model: 10 unless --users)."""
        return self.load_options(PROFILES).user_count
