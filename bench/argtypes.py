"""Argument types shared by the harness's command lines: durations, positive numbers, percents."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from bench.load.options import parse_duration


def duration(text: str) -> float:
    """`30s`, `2m`, `1m30s` or plain seconds, as argparse's `type=`."""
    try:
        return parse_duration(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def positive(
    kind: type[int] | type[float], least: float | None = None
) -> Callable[[str], int | float]:
    """An argparse `type=` taking a finite number above 0, or at least `least` when given."""

    def check(text: str) -> int | float:
        value = kind(text)
        # nan and inf parse as floats; a rate of either never lets locust stop.
        if not math.isfinite(value):
            want = "> 0" if least is None else f"at least {least:g}"
            raise argparse.ArgumentTypeError(f"must be a finite number {want}")
        if least is None and value <= 0:
            raise argparse.ArgumentTypeError("must be > 0")
        if least is not None and value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least:g}")
        return value

    return check


def percent(text: str) -> float:
    """A threshold in percent, `10` or `10%`: finite and at least 0, as argparse's `type=`."""
    try:
        value = float(text.removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not 0 <= value < math.inf:
        raise argparse.ArgumentTypeError(
            f"the threshold must be a finite percentage >= 0: {text!r}"
        )
    return value
