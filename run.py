#!/usr/bin/env python3
"""The one developer command line: `./run.py TARGET [ARGS...]`; `./run.py --help` lists targets."""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".requirements.sha256"
SUITES = ("unit", "integration", "e2e")

Target = Callable[[argparse.Namespace, list[str]], int]
Configure = Callable[[argparse.ArgumentParser], None]
TARGETS: dict[str, tuple[Target, Configure | None]] = {}


# --- bootstrap: a fresh machine needs nothing but python3 ------------------------------------


def requirements() -> list[str]:
    """The pinned runtime requirements and every extra (dev, bench), read from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()
    return [*project["dependencies"], *(req for extra in extras for req in extra)]


def _venv_works() -> bool:
    probe = [str(VENV_PYTHON), "-m", "pip", "--version"]
    return VENV_PYTHON.exists() and subprocess.run(probe, capture_output=True).returncode == 0


def ensure_venv() -> None:
    """Create .venv, (re)install the pinned requirements when they changed, re-exec in it."""
    reqs = requirements()
    # The venv's own interpreter is fixed when it is made, so only the requirements matter here.
    digest = hashlib.sha256("\n".join(reqs).encode()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        if not _venv_works():  # missing, or half-made (no pip, a dangling interpreter link)
            print(f"run.py: creating {VENV.relative_to(ROOT)}", file=sys.stderr)
            _must(sys.executable, "-m", "venv", "--clear", str(VENV))
        print("run.py: installing pinned requirements into .venv", file=sys.stderr)
        STAMP.unlink(missing_ok=True)
        _must(str(VENV_PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check", *reqs)
        STAMP.write_text(digest + "\n")
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(VENV_PYTHON, [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])


def _must(*cmd: str) -> None:
    """Run a set-up step; on failure say which, in one line, and exit with its code."""
    code = subprocess.call(cmd)
    if code:
        print(f"run.py: set-up step failed (exit {code}): {' '.join(cmd[:5])} ...", file=sys.stderr)
        sys.exit(code)


# --- targets ---------------------------------------------------------------------------------


def target(configure: Configure | None = lambda p: None) -> Callable[[Target], Target]:
    """Register a function as a target; its docstring is the one-line help.

    With `configure=None` the target parses its own arguments (`--help` included): all of them
    pass through to it untouched.
    """

    def register(fn: Target) -> Target:
        TARGETS[fn.__name__] = (fn, configure)
        return fn

    return register


def run(*cmd: str) -> int:
    """Run a command from the project root and return its exit code."""
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def _serve_args(p: argparse.ArgumentParser) -> None:
    local = ROOT / "configs" / "todoList-local.yaml"
    p.add_argument("--config", default=str(local), help="YAML config file (default: %(default)s)")


@target(_serve_args)
def serve(args: argparse.Namespace, extra: list[str]) -> int:
    """Start the service (extra flags such as --port, --host, --store, --debug pass through)."""
    # Here, not at the top: run.py must start on a bare python3, and only now is it in .venv.
    from taskservice.store.postgres_url import redact

    server = ROOT / "taskservice" / "tornado" / "server.py"
    cmd = [sys.executable, str(server), "--config", args.config, *extra]
    # A store URL's password (`--store postgresql://user:PASSWORD@...`) is shown as ***, as the
    # service's own log lines show it.
    print("+ " + " ".join(map(redact, cmd)), flush=True)
    # exec, not a child: SIGTERM and SIGINT then reach the server itself. The working directory
    # stays the caller's, so relative paths (--config, the sqlite file) mean what they say.
    os.execv(sys.executable, cmd)


def _exec_harness(module: str, extra: list[str]) -> NoReturn:
    """Become `python -m module extra...`, so Ctrl-C and SIGTERM reach the harness itself, which
    stops locust and then the service."""
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    os.execv(sys.executable, [sys.executable, "-m", module, *extra])


@target(configure=None)
def load(args: argparse.Namespace, extra: list[str]) -> int:
    """Load-test with locust: web UI, or --headless with a report (`./run.py load --help`)."""
    return _exec_harness("bench.load", extra)


@target(configure=None)
def soak(args: argparse.Namespace, extra: list[str]) -> int:
    """Soak: a long open-model load that fails on memory growth, leaked fds or 5xx (see --help)."""
    return _exec_harness("bench.soak", extra)


@target(configure=None)
def profile(args: argparse.Namespace, extra: list[str]) -> int:
    """Flame graphs of the service under load (py-spy or yappi), diffs, overhead (see --help)."""
    return _exec_harness("bench.profile", extra)


@target(configure=None)
def profiles(args: argparse.Namespace, extra: list[str]) -> int:
    """Regenerate profiles/index.html and print its path; --serve serves it on 127.0.0.1."""
    return _exec_harness("bench.profile.serve", extra)


@target()
def lint(args: argparse.Namespace, extra: list[str]) -> int:
    """Run ruff's linter and its format check."""
    return run("ruff", "check", ".", *extra) or run("ruff", "format", "--check", ".")


@target()
def typecheck(args: argparse.Namespace, extra: list[str]) -> int:
    """Run mypy in strict mode over the code, the tests and run.py."""
    return run("mypy", *extra)


def _test_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-v", "--verbose", action="store_true", help="name each test as it runs")
    p.add_argument(
        "--suite",
        choices=(*SUITES, "all"),
        default="all",
        help="one test suite only; 'all' (the default) also runs lint and typecheck",
    )


def _pytest_args(args: argparse.Namespace, extra: list[str]) -> list[str]:
    """pytest's arguments: the suites, the verbosity, the extra arguments, the skips' plugin."""
    suites = SUITES if args.suite == "all" else (args.suite,)
    return [
        *(f"tests/{s}" for s in suites),
        *(["-v"] if args.verbose else ["-q"]),
        *extra,
        # Notes what each skipped test lacked, for the line at the end (tests/support/needs.py).
        "-p", "tests.support.needs",
    ]  # fmt: skip


def _terminated(signum: int, frame: object) -> NoReturn:
    """SIGTERM: unwind, so that the private PostgreSQL cluster is stopped on the way out."""
    raise SystemExit(128 + signum)


def _wait_for(cmd: list[str], env: dict[str, str]) -> int:
    """Run pytest to its end, and its exit code; 128 + the signal if run.py was interrupted.

    Ctrl-C reaches pytest from the terminal too: run.py waits while its fixtures tear down.
    SIGTERM is passed on as SIGINT, for the same teardown.
    """
    print("+ " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    got: list[int] = []

    def forward(signum: int, frame: object) -> None:
        got.append(signum)
        if signum == signal.SIGTERM and proc.poll() is None:
            proc.send_signal(signal.SIGINT)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 + got[0] if got else code


def _private_postgres(stack: ExitStack) -> dict[str, str]:
    """Start a private PostgreSQL cluster for this run, if the tests have none and initdb and
    pg_ctl are installed: the environment that names it to them ({} if none)."""
    # Here, not at the top: run.py must start on a bare python3, and only now is it in .venv.
    from tests.support import pgcluster

    if pgcluster.ENV in os.environ:  # the caller's server; set but empty: none at all
        return {}
    binaries = pgcluster.find_binaries()
    if binaries is None:  # the tests skip, and the line at the end says what to install
        return {}
    try:
        cluster = stack.enter_context(pgcluster.temporary_cluster(binaries))
    except pgcluster.ClusterError as err:
        print(f"run.py: could not start a private PostgreSQL cluster: {err}", file=sys.stderr)
        return {}
    print(f"run.py: a private PostgreSQL cluster for this run, on 127.0.0.1:{cluster.port} "
          f"({binaries})", flush=True)  # fmt: skip
    return {pgcluster.ENV: cluster.dsn}


def _pytest(*cmd: str) -> tuple[int, str | None]:
    """Run pytest (`cmd`) with a private PostgreSQL cluster when one can run, and stop the
    cluster (on Ctrl-C and SIGTERM too): the exit code, and the line that says what was skipped
    and how to install it."""
    from tests.support import needs, pgcluster

    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        with tempfile.TemporaryDirectory(prefix="taskservice-run-") as tmp:
            skips = Path(tmp) / "skips.json"
            with ExitStack() as stack:
                env = {**os.environ, **_private_postgres(stack), needs.SUMMARY_ENV: str(skips)}
                code = _wait_for(list(cmd), env)
            line = needs.summary_from(skips, root=os.geteuid() == 0)
    except pgcluster.ClusterError as err:  # stopping it failed
        return 1, f"the private PostgreSQL cluster did not stop: {err}"
    finally:
        signal.signal(signal.SIGTERM, previous)
    return code, line


def _say(line: str | None) -> None:
    """The last line of a test run, if there is one to say."""
    if line:
        print(f"run.py: {line}", flush=True)


@target(_test_args)
def test(args: argparse.Namespace, extra: list[str]) -> int:
    """Run lint, typecheck and the unit, integration and e2e suites; non-zero if any fails."""
    if args.suite == "all":
        for step in (lint, typecheck):
            if code := step(args, []):
                print(f"run.py: {step.__name__} failed", file=sys.stderr)
                return code
    code, line = _pytest(sys.executable, "-m", "pytest", *_pytest_args(args, extra))
    _say(line)
    return code


@target(_test_args)
def coverage(args: argparse.Namespace, extra: list[str]) -> int:
    """Run the test suites under coverage (subprocess servers included) and print the report."""
    for stale in ROOT.glob(".coverage*"):
        stale.unlink()
    code, line = _pytest("coverage", "run", "-m", "pytest", *_pytest_args(args, extra))
    run("coverage", "combine", "--quiet")
    code = code or run("coverage", "report")
    _say(line)
    return code


@target(configure=None)
def bench(args: argparse.Namespace, extra: list[str]) -> int:
    """Benchmarks (micro, load, ratios to bare Tornado): save the run, print its folder last."""
    return run(sys.executable, "-m", "bench", *extra)


# --- command line ----------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    """Parse the target and its arguments; unknown arguments pass through to the tool."""
    parser = argparse.ArgumentParser(prog="run.py", description=__doc__)
    sub = parser.add_subparsers(dest="target", required=True, metavar="TARGET")
    for name, (fn, configure) in TARGETS.items():
        doc = (fn.__doc__ or "").strip()
        target_parser = sub.add_parser(name, help=doc, description=doc, add_help=bool(configure))
        if configure:
            configure(target_parser)
    args, extra = parser.parse_known_args(argv)
    # The tools live next to the interpreter in .venv; nothing needs activating.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    fn, configure = TARGETS[args.target]
    if configure is None:  # hand over everything after the target's name, in order
        extra = argv[argv.index(args.target) + 1 :]
    return fn(args, extra)


if __name__ == "__main__":
    if not {"-h", "--help"} & set(sys.argv[1:2]):
        ensure_venv()
    sys.exit(main(sys.argv[1:]))
