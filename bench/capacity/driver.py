"""Run a capacity search: one service for the whole search, a locust run per step, the verdict.

Each step is an ordinary headless open-model run (bench.load.runner) in its own folder under
the search's, against the service started here (or --host); the search's folder gets
capacity.json, capacity.svg and summary.md, and is printed last by the command line.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench.capacity import report, search, svg
from bench.capacity.search import Plan
from bench.capacity.verdict import (
    GENERATOR_BOUND,
    PASS,
    Judged,
    Step,
    Verdict,
    decide,
    describe,
    judge,
)
from bench.load import cpus, reports, runner, seed, service
from bench.load.options import LoadOptions
from bench.load.scenarios import SCENARIOS
from bench.profile import reindex

STEP_OVERHEAD_S = 4.0
"""A step's time beyond its run time (locust starting and stopping, its reports): a first guess."""
RESERVE_S = 3.0
"""Kept back from --max-duration for writing the results and stopping the service."""


@dataclass(frozen=True)
class Settings:
    """How the search runs: its plan, each step's length and warm-up, its time limit."""

    plan: Plan = field(default_factory=Plan)
    step_s: float = 10.0
    warmup_s: float = 3.0
    max_duration_s: float = 180.0

    def problem(self) -> str | None:
        """Why these settings cannot run, or None."""
        if self.warmup_s >= self.step_s:
            return (
                f"the warm-up ({self.warmup_s:g}s) must be shorter than a step ({self.step_s:g}s)"
            )
        if (least := self.step_s + STEP_OVERHEAD_S + RESERVE_S) > self.max_duration_s:
            return f"--max-duration leaves no room for one step: give it at least {least:g}s"
        return self.plan.problem()


@dataclass(frozen=True)
class Outcome:
    """A finished search: its folder, every step judged, the verdict."""

    folder: Path
    judged: list[Judged]
    verdict: Verdict


def _step(rate: float, result: runner.RunResult, name: str) -> Step:
    """A step's numbers from its headless run (after the warm-up, which locust left out)."""
    rep, total = result.report, result.report.stats.total
    om = rep.open_model
    latency = om.intended.total if om else total
    return Step(
        offered=rate,
        achieved=round(om.rate("arrivals", "last_start"), 1) if om else 0.0,
        rps=round(total.rps, 1),
        p50_ms=latency.pct(0.5),
        p95_ms=latency.pct(0.95),
        p99_ms=latency.pct(0.99),
        error_rate=round(total.error_rate, 6),
        requests=total.requests,
        generator_pct=round(rep.cpu.generator_pct, 1) if rep.cpu else None,
        service_pct=(
            round(rep.cpu.server_pct, 1)
            if rep.cpu is not None and rep.cpu.server_pct is not None
            else None
        ),
        folder=name,
    )


def find(options: LoadOptions, settings: Settings) -> Outcome:
    """Step the rate as `settings.plan` says until it is done or the time is up; write results."""
    began = time.monotonic()
    deadline = began + settings.max_duration_s - RESERVE_S
    folder = reports.new_folder(replace(options, kind="capacity"))
    pinning = cpus.plan(options.pin) if options.host is None else None
    judged: list[Judged] = []
    out_of_time = False
    with ExitStack() as stack:
        started, host, svc = None, options.host or "", None
        if options.host is None:
            svc = stack.enter_context(
                service.started(
                    folder / "server.log",
                    store=options.store,
                    config=options.config,
                    cores=pinning.server if pinning and options.service_workers == 1 else None,
                    workers=options.service_workers,
                    extra_args=service.http_args(options.http),
                )
            )
            started, host = runner.Started(svc, pinning), svc.url
            if count := SCENARIOS[options.scenario].seed:
                seed.ensure_stored(host, count)
        print(
            f"capacity: {options.scenario} on {host}, SLO {describe(options.slo)}; steps of "
            f"{settings.step_s:g}s, the first {settings.warmup_s:g}s of each not counted; "
            f"at most {settings.max_duration_s:g}s in all",
            flush=True,
        )
        print(report.HEADER, flush=True)
        estimate = settings.step_s + STEP_OVERHEAD_S
        tried: list[tuple[float, bool]] = []
        limit: float | None = None  # the lowest rate locust could not drive
        while (rate := search.next_rate(settings.plan, tried, limit)) is not None:
            if time.monotonic() + estimate > deadline:
                out_of_time = True
                break
            step_began, name = time.monotonic(), f"{len(judged) + 1:02d}-{rate:g}"
            step_options = replace(
                options,
                rate=rate,
                duration_s=settings.step_s,
                warmup_s=settings.warmup_s,
                out_dir=folder / "steps" / name,
                locust_args=("--loglevel", "WARNING", *options.locust_args),
            )
            result = runner.run_headless(step_options, started=started, echo=False)
            judged.append(judge(_step(rate, result, name), options.slo))
            print(report.step_line(len(judged), judged[-1]), flush=True)
            estimate = max(estimate, time.monotonic() - step_began)
            if judged[-1].status == GENERATOR_BOUND:
                limit = min(rate, limit or rate)  # at and past here locust would be measured
            else:
                tried.append((rate, judged[-1].status == PASS))
        facts = reports.facts(replace(options, rate=settings.plan.start), host, svc, pinning)[1:]
    cores = len(pinning.generator) if pinning else os.cpu_count()
    verdict = decide(judged, options.slo, out_of_time, options.workers, cores)
    plan = settings.plan
    facts.insert(0, (
        f"scenario `{options.scenario}`, open model: from {plan.start:g}/s up by x{plan.factor:g}, "
        f"then bisection to {plan.resolution:.0%}; steps of {settings.step_s:g} s, the first "
        f"{settings.warmup_s:g} s of each not counted; {len(judged)} steps in "
        f"{time.monotonic() - began:.0f} s (--max-duration {settings.max_duration_s:g} s)"
    ))  # fmt: skip
    write_results(folder, options, settings, judged, verdict, facts)
    return Outcome(folder, judged, verdict)


def write_results(
    folder: Path,
    options: LoadOptions,
    settings: Settings,
    judged: list[Judged],
    verdict: Verdict,
    facts: list[str],
) -> None:
    """capacity.svg, summary.md and capacity.json into `folder`; the index when under profiles/."""
    title = report.title(options.scenario, options.slo)
    knee = verdict.knee.step.offered if verdict.knee else None
    best = verdict.capacity.offered if verdict.capacity else None
    bound = [j.step.offered for j in judged if j.status == GENERATOR_BOUND]
    limit = min(bound) if bound else None
    picture = svg.draw(judged, title, best, knee, options.slo.get("p99_ms"), limit)
    (folder / "capacity.svg").write_text(picture)
    (folder / "summary.md").write_text(report.render(title, facts, judged, verdict))
    plan = settings.plan
    knobs = {
        "scenario": options.scenario,
        "start_rate": plan.start,
        "factor": plan.factor,
        "max_rate": plan.ceiling,
        "resolution": plan.resolution,
        "step_s": settings.step_s,
        "warmup_s": settings.warmup_s,
        "max_duration_s": settings.max_duration_s,
        "service_workers": options.service_workers,
        "locust_workers": options.workers,
        "store": options.store,
    }
    data = report.as_json(judged, verdict, options.slo, knobs)
    (folder / "capacity.json").write_text(json.dumps(data, indent=1) + "\n")
    if folder.parent.resolve() == reports.PROFILES.resolve():
        reindex.regenerate(reports.PROFILES)
