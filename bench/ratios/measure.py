"""One measurement: start a scenario's server, warm it up, measure it with wrk, check, stop it."""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.load.seed import SeedError, stored_up_to
from bench.ratios import seed, servers, wrk
from bench.ratios.configs import localized
from bench.ratios.scenarios import Scenario
from bench.ratios.settings import Settings


@dataclass
class Workspace:
    """The run's scratch folder: server logs, config copies, store files, the seeded ids."""

    folder: Path
    read_ids: list[str] = field(default_factory=list)
    read_checked: bool = False  # whether a server was seen to hold every seeded task

    @property
    def read_store(self) -> Path:
        """The seeded store that every read scenario shares (reads leave it as it is)."""
        return self.folder / "stores" / "read.db"

    def write_store(self, round_no: int) -> Path:
        """A fresh store per POST round, so every round starts from an empty one."""
        return self.folder / "stores" / f"write-r{round_no}.db"

    def config(self, scenario: Scenario, settings: Settings) -> Path:
        """The scenario's config, copied with its log files moved into the scratch folder."""
        source = settings.local_config if scenario.server == "local" else settings.prod_config
        dest = self.folder / "configs" / f"{scenario.server}.yaml"
        if not dest.is_file():
            localized(source, self.folder / "logs", dest)
        return dest


@dataclass(frozen=True)
class Measurement:
    """What wrk measured, and any problem that makes the number meaningless."""

    result: wrk.WrkResult
    problems: list[str]


def _command(
    scenario: Scenario, port: int, round_no: int, space: Workspace, s: Settings
) -> list[str]:
    if scenario.store is None:
        return servers.baseline_command(port, scenario.http)
    store = space.read_store if scenario.store == "read" else space.write_store(round_no)
    if scenario.server == "minimal":
        return servers.minimal_command(port, store, scenario.http)
    return servers.service_command(port, space.config(scenario, s), store, scenario.http)


def _path(scenario: Scenario, space: Workspace) -> str:
    if "{id}" not in scenario.path:
        return scenario.path
    # A task from the middle of the store: neither the first nor the last page of the index.
    return scenario.path.format(id=space.read_ids[len(space.read_ids) // 2])


def _stored(url: str, count: int) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        return stored_up_to(conn, count)
    finally:
        conn.close()


def _check_store(
    scenario: Scenario, url: str, result: wrk.WrkResult, space: Workspace
) -> list[str]:
    """Cheap sanity: the server holds what was seeded, and every measured POST made a task."""
    want = 0
    if scenario.store == "read" and not space.read_checked:
        want = len(space.read_ids)
        space.read_checked = True
    elif scenario.store == "write":
        want = result.requests  # the warm-up's tasks come on top
    if not want:
        return []
    try:
        have = _stored(url, want)
    except (OSError, SeedError) as e:
        return [f"{scenario.name}: could not count the stored tasks: {e}"]
    if have < want:
        return [f"{scenario.name}: the server holds {have} tasks, expected at least {want}"]
    return []


def measure(scenario: Scenario, round_no: int, space: Workspace, s: Settings) -> Measurement:
    """Measure `scenario` once on a server of its own; ServerError or WrkError if one fails."""
    port = servers.free_port()
    command = _command(scenario, port, round_no, space, s)
    log = space.folder / "logs" / f"{scenario.name}-r{round_no}.log"
    script = None
    if scenario.method == "POST":
        script = space.folder / "post.lua"
        script.write_text(wrk.POST_SCRIPT)
    with servers.started(scenario.name, command, port, log, s.server_cores) as url:
        target = url + _path(scenario, space)
        if s.warmup_s:
            wrk.run(target, s.warmup_s, s.connections, s.wrk_cores, script)
        result = wrk.run(target, s.duration_s, s.connections, s.wrk_cores, script)
        problems = _check_store(scenario, url, result, space)
    if scenario.store == "write":
        seed.remove(space.write_store(round_no))
    if result.errors:
        problems.insert(0, f"{scenario.name} round {round_no}: {_errors(result)}")
    return Measurement(result, problems)


def _errors(result: wrk.WrkResult) -> str:
    parts = [f"{result.non_2xx} non-2xx responses"] if result.non_2xx else []
    parts += [f"{n} socket {kind} errors" for kind, n in result.socket_errors.items() if n]
    return ", ".join(parts) + f" of {result.requests} requests"
