"""Service-level objectives for a run: `p95_ms=50,p99_ms=200,error_rate=0.01,min_rps=500`."""

from __future__ import annotations

import math
from dataclasses import dataclass

# key -> (True when the measured value must stay at or below the threshold, unit)
KEYS: dict[str, tuple[bool, str]] = {
    "p95_ms": (True, "ms"),
    "p99_ms": (True, "ms"),
    "error_rate": (True, ""),
    "min_rps": (False, "req/s"),
}


class SloError(ValueError):
    """The --slo text is malformed; the message says which part, in one line."""


def parse(text: str) -> dict[str, float]:
    """`k=v,...` with keys from KEYS and finite, non-negative numbers; any subset, no repeats."""
    slo: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep:
            raise SloError(f"--slo: expected key=value, got {part!r}")
        if key not in KEYS:
            raise SloError(f"--slo: unknown key {key!r}; known: {', '.join(KEYS)}")
        if key in slo:
            raise SloError(f"--slo: {key} given twice")
        try:
            number = float(value)
        except ValueError:
            raise SloError(f"--slo: {key} needs a number, got {value.strip()!r}") from None
        if not math.isfinite(number) or number < 0:
            raise SloError(f"--slo: {key} must be a finite number >= 0, got {value.strip()!r}")
        slo[key] = number
    if not slo:
        raise SloError("--slo: no thresholds given")
    return slo


@dataclass(frozen=True)
class Verdict:
    """One threshold against what the run measured."""

    key: str
    threshold: float
    measured: float

    @property
    def passed(self) -> bool:
        at_most, _ = KEYS[self.key]
        return self.measured <= self.threshold if at_most else self.measured >= self.threshold

    def line(self) -> str:
        """`SLO p95_ms <= 50: 12.3 ms  pass`."""
        at_most, unit = KEYS[self.key]
        op = "<=" if at_most else ">="
        value = f"{self.measured:.4g}" + (f" {unit}" if unit else "")
        return (
            f"SLO {self.key} {op} {self.threshold:g}: {value}  {'pass' if self.passed else 'FAIL'}"
        )


def evaluate(slo: dict[str, float], measured: dict[str, float]) -> list[Verdict]:
    """Each threshold's verdict; `measured` holds a value for every key in KEYS."""
    return [Verdict(key, threshold, measured[key]) for key, threshold in slo.items()]
