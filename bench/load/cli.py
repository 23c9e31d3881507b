"""`./run.py load`: locust's web UI, a headless run with a report, or `--find-capacity`."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from bench.argtypes import duration, positive
from bench.capacity import cli as capacity
from bench.load import runner, slo
from bench.load.options import LoadOptions
from bench.load.plans import SHAPES
from bench.load.scenarios import SCENARIOS
from bench.load.service import HTTP_TRANSPORTS
from bench.load.summary import ms


def parser() -> argparse.ArgumentParser:
    """The command line; arguments it does not know pass through to locust."""
    p = argparse.ArgumentParser(
        prog="./run.py load",
        description=__doc__,
        epilog="Other arguments pass through to locust (e.g. --loglevel WARNING).",
    )
    p.add_argument("--list", action="store_true", help="list the scenarios and shapes, and exit")
    p.add_argument("--headless", action="store_true", help="run without the web UI, then report")
    p.add_argument("--scenario", choices=SCENARIOS, help="what each user does (default: crud)")
    p.add_argument("--users", type=positive(int), help="concurrent users (default 10)")
    p.add_argument("--spawn-rate", type=positive(float), help="users started per second")
    p.add_argument(
        "--duration", type=duration, default=30.0, help="run time: 30s, 2m (default 30s)"
    )
    p.add_argument("--rate", type=positive(float), help="open model: iterations started per second")
    p.add_argument(
        "--shape", choices=SHAPES, help="load shape: users over time, peaking at --users"
    )
    p.add_argument(
        "--slo", type=_slo, default={}, help="e.g. p95_ms=50,p99_ms=200,error_rate=0.01,min_rps=500"
    )
    p.add_argument("--host", help="URL of a running service (default: start one here)")
    p.add_argument(
        "--store", help="store URL for the service started here (default: fresh sqlite file)"
    )
    p.add_argument("--config", type=Path, help="config for the service started here")
    p.add_argument(
        "--http",
        choices=HTTP_TRANSPORTS,
        help="the transport of the service started here (default: its config's, llhttp)",
    )
    p.add_argument(
        "--service-workers",
        type=positive(int),
        default=1,
        help="worker processes of the service started here (its --workers; default 1)",
    )
    p.add_argument(
        "--out", type=Path, help="report folder (default: profiles/<time>-<scenario>-<kind>)"
    )
    p.add_argument("--no-pin", action="store_true", help="do not pin service and locust to cores")
    p.add_argument(
        "--web-port", type=int, default=8089, help="web UI port on 127.0.0.1 (default 8089)"
    )
    dist = p.add_argument_group("distributed")
    dist.add_argument("--workers", type=positive(int, 0), default=0, help="local locust workers")
    dist.add_argument(
        "--remote-workers",
        type=positive(int, 0),
        default=0,
        help="also wait for this many workers from other machines",
    )
    dist.add_argument(
        "--master-port",
        type=int,
        help="master's port (default: free one; 5557 with remote workers)",
    )
    dist.add_argument(
        "--master-bind-host", default="127.0.0.1", help="0.0.0.0 to let other machines' workers in"
    )
    dist.add_argument(
        "--join",
        type=master_address,
        metavar="HOST[:PORT]",
        help="only run --workers workers (default 1) for a master elsewhere (port 5557 default)",
    )
    dist.add_argument(
        "--connect-wait",
        type=duration,
        default=60.0,
        help="how long a master waits for its workers, or --join for its master (default 60s)",
    )
    capacity.add_arguments(p)
    return p  # fmt: skip


def master_address(text: str) -> tuple[str, int]:
    """`HOST:PORT`, `HOST` (port 5557) or `[IPv6]:PORT`, as argparse's `type=`."""
    host, port = text, "5557"
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise argparse.ArgumentTypeError(f"expected [IPv6]:PORT, got {text!r}")
        port = rest[1:] or port
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT such as 10.0.0.5:5557, got {text!r}")
    return host, int(port)


def _slo(text: str) -> dict[str, float]:
    try:
        return slo.parse(text)
    except slo.SloError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _listing() -> str:
    lines = ["scenarios (--scenario):"]
    lines += [f"  {s.name:<12} {s.about}" for s in SCENARIOS.values()]
    lines += ["shapes (--shape, with --headless or in the web UI):"]
    lines += [f"  {s.name:<12} {s.about}" for s in SHAPES.values()]
    lines += ["models:", "  closed       default: --users back to back (locust's users)"]
    lines += ["  open         --rate R: R iterations/s whatever the response times"]
    return "\n".join(lines)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _print_result(result: runner.RunResult) -> None:
    report, total = result.report, result.report.stats.total
    print(
        f"load: {total.requests} requests, {total.failures} failures, {total.rps:.1f} req/s, "
        f"p50 {ms(total.pct(0.5))} p95 {ms(total.pct(0.95))} p99 {ms(total.pct(0.99))} "
        f"max {ms(total.max_ms)} ms"
    )
    if om := report.open_model:
        d, i = om.as_dict(), om.intended.total
        print(
            f"load: open model {d['achieved_rate']:g}/s achieved of {om.target_rate:g}/s target; "
            f"from intended start p50 {ms(i.pct(0.5))} p95 {ms(i.pct(0.95))} "
            f"p99 {ms(i.pct(0.99))} max {ms(i.max_ms)} ms"
        )
    if report.cpu and report.cpu.generator_bound:
        print(
            f"load: WARNING generator-bound (locust at {report.cpu.generator_pct:.0f}% of a core)"
        )
    for w in report.workers or []:
        cpu = f"{w.cpu_pct:.0f}% of a core" if w.cpu_pct is not None else "CPU not reported"
        busy = " WARNING generator-bound" if w.generator_bound else ""
        print(f"load: worker {w.id}: {w.requests} requests, {cpu}{busy}")
    for verdict in report.verdicts:
        print(verdict.line())


def main(argv: list[str] | None = None) -> int:
    """Parse, then list, serve the web UI, run workers, or run headless and report."""
    p = parser()
    args, locust_args = p.parse_known_args(argv)
    if args.find_capacity:
        args.slo = args.slo or dict(capacity.DEFAULT_SLO)
        if trouble := capacity.problem(args, args.slo):
            p.error(trouble)
    elif args.warmup and args.warmup >= args.duration:
        p.error(f"--warmup ({args.warmup:g}s) must be shorter than --duration ({args.duration:g}s)")
    if args.list:
        print(_listing())
        return 0
    signal.signal(signal.SIGTERM, _interrupt)
    if args.join:
        host, port = args.join
        try:
            return runner.run_workers(host, port, args.workers or 1, args.connect_wait)
        except KeyboardInterrupt:  # stopped while still waiting for the master
            return 130
    options = LoadOptions(
        scenario=args.scenario or "crud",
        users=args.users,
        spawn_rate=args.spawn_rate,
        duration_s=args.duration,
        warmup_s=args.warmup or 0.0,
        rate=args.rate,
        shape=args.shape,
        workers=args.workers,
        remote_workers=args.remote_workers,
        master_port=args.master_port,
        master_bind_host=args.master_bind_host,
        connect_wait_s=args.connect_wait,
        host=args.host,
        store=args.store,
        service_workers=args.service_workers,
        http=args.http,
        slo=args.slo,
        out_dir=args.out,
        pin=not args.no_pin,
        web_port=args.web_port,
        locust_args=tuple(locust_args),
        **({"config": args.config} if args.config else {}),
    )
    if args.find_capacity:
        try:
            return capacity.run(options, args)
        except KeyboardInterrupt:
            print("load: interrupted", file=sys.stderr)
            return 130
    if not args.headless:
        return runner.run_web(options, picker=args.scenario is None and args.rate is None)
    try:
        result = runner.run_headless(options)
    except KeyboardInterrupt:
        print("load: interrupted", file=sys.stderr)
        return 130
    except runner.WorkersMissing as e:
        print(e, file=sys.stderr)
        return 1
    _print_result(result)
    print(result.folder)
    return result.exit_code
