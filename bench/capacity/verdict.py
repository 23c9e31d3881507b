"""Judge each step (met the SLO, missed it, or measured the load generator), then the search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.capacity.search import bracket
from bench.load import slo as slos
from bench.load.sampler import GENERATOR_BOUND_PCT

SERVICE_BUSY_PCT = 80.0
"""At or above this share of a core, the service's busiest process counts as busy."""
SHORT_OF_OFFERED = 0.95
"""A step achieving less than this share of its offered rate fell short of it."""
PASS, FAIL, GENERATOR_BOUND = "pass", "FAIL", "generator-bound"


@dataclass(frozen=True)
class Step:
    """One step's numbers after its warm-up: rates in iterations/s, latency from intended start."""

    offered: float
    achieved: float  # iterations started per second: below `offered` when locust fell behind
    rps: float  # requests per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    error_rate: float
    requests: int
    generator_pct: float | None  # the busiest locust process, percent of one core
    service_pct: float | None  # the busiest service process; None when not sampled (--host)
    folder: str = ""

    def measured(self) -> dict[str, float]:
        """The values the SLO keys name."""
        return {
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "error_rate": self.error_rate,
            "min_rps": self.rps,
        }


@dataclass(frozen=True)
class Judged:
    """A step, whether it met the SLO (or was generator-bound), and why not."""

    step: Step
    status: str
    reasons: tuple[str, ...] = ()


def generator_bound(step: Step) -> str | None:
    """Why the load generator rather than the service limited this step; None when it did not."""
    if step.generator_pct is not None and step.generator_pct >= GENERATOR_BOUND_PCT:
        return f"locust at {step.generator_pct:.0f}% of a core"
    short = step.achieved < SHORT_OF_OFFERED * step.offered
    if short and step.service_pct is not None and step.service_pct < SERVICE_BUSY_PCT:
        return (
            f"{step.achieved:g}/s achieved of {step.offered:g}/s offered while the service "
            f"used {step.service_pct:.0f}% of a core"
        )
    return None


def judge(step: Step, slo: dict[str, float]) -> Judged:
    """No requests (locust broke) fails; generator-bound next (its numbers say nothing of the
    service); then each threshold."""
    if step.requests == 0:
        return Judged(step, FAIL, ("no request was measured; see the step's folder",))
    if (bound := generator_bound(step)) is not None:
        return Judged(step, GENERATOR_BOUND, (bound,))
    missed = [v for v in slos.evaluate(slo, step.measured()) if not v.passed]
    reasons = tuple(f"{v.key} {v.measured:.4g} > {v.threshold:g}" for v in missed)
    return Judged(step, FAIL if missed else PASS, reasons)


def describe(slo: dict[str, float]) -> str:
    """`p99_ms <= 50, error_rate <= 0.01`."""
    return ", ".join(f"{k} {'<=' if slos.KEYS[k][0] else '>='} {v:g}" for k, v in slo.items())


@dataclass(frozen=True)
class Verdict:
    """The search's answer: a capacity, or why there is none, and the lines that say so."""

    capacity: Step | None
    knee: Judged | None  # the lowest step above the capacity that missed the SLO
    bound: Judged | None  # the first generator-bound step
    lines: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        return 0 if self.capacity is not None else 1


def cure(workers: int, generator_cores: int | None) -> str:
    """How to give locust more CPU: more processes on idle cores, or the service elsewhere."""
    processes = max(1, workers)
    if generator_cores is not None and generator_cores <= processes:
        return (
            f"locust has {generator_cores} core(s) here beside the service: run the service on "
            "another machine (--host URL), then give locust more processes (--workers N)"
        )
    more = generator_cores if generator_cores is not None else max(2, 2 * workers)
    return f"give locust more processes, one per idle core: --workers {more}"


def decide(
    judged: Sequence[Judged],
    slo: dict[str, float],
    out_of_time: bool,
    workers: int = 0,
    generator_cores: int | None = None,
) -> Verdict:
    """The verdict on the steps in the order they ran; `out_of_time`: the budget ended it.

    A capacity needs a step the service itself failed below every generator-bound one, or no
    generator-bound step at all; otherwise the verdict names the generator as the limit.
    """
    if not judged:
        return Verdict(None, None, None, ("capacity: no step fitted in --max-duration",))
    tried = [(j.step.offered, j.status == PASS) for j in judged if j.status != GENERATOR_BOUND]
    lo, hi = bracket(tried)
    best = next(
        (j.step for j in reversed(judged) if j.status == PASS and j.step.offered == lo), None
    )
    knee = next((j for j in judged if j.status == FAIL and j.step.offered == hi), None)
    bounds = [j for j in judged if j.status == GENERATOR_BOUND]
    bound = min(bounds, key=lambda j: j.step.offered) if bounds else None
    if bound is not None and (hi is None or hi >= bound.step.offered):
        met = f"the service met the SLO up to {lo:g}/s" if lo else "no step met the SLO"
        return Verdict(None, None, bound, (
            f"capacity: not measured: the load generator, not the service, was the limit at "
            f"{bound.step.offered:g}/s ({bound.reasons[0]})",
            f"capacity: {met}; to go higher, {cure(workers, generator_cores)}",
        ))  # fmt: skip
    if best is None:
        first = judged[0]
        return Verdict(None, knee, None, (
            f"capacity: none: even the lowest step, {first.step.offered:g}/s, missed the SLO "
            f"{describe(slo)}: {'; '.join(first.reasons)} (try a lower --start-rate)",
        ))  # fmt: skip
    lines = [
        f"capacity: {best.offered:g}/s ({best.rps:.0f} req/s) is the highest rate tried that "
        f"met the SLO {describe(slo)}"
    ]
    if knee is not None:
        lines.append(f"capacity: {knee.step.offered:g}/s missed it: {'; '.join(knee.reasons)}")
        if out_of_time:
            lines.append("capacity: --max-duration ended the bisection before its resolution")
    else:
        why = "--max-duration ended the search" if out_of_time else "--max-rate is the highest"
        lines.append(f"capacity: no step missed the SLO ({why}): the capacity is at least this")
    if bound is not None:
        lines.append(
            f"capacity: {bound.step.offered:g}/s was generator-bound ({bound.reasons[0]}) "
            "and is left out"
        )
    return Verdict(best, knee, None, tuple(lines))
