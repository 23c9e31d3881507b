"""Collapsed stacks, one `frame;frame;frame COUNT` a line (py-spy's raw format): read, sum, rank."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

Stacks = Counter[str]
"""A profile: each stack (root first, frames joined by `;`) -> its count (samples or µs)."""


def parse(lines: Iterable[str]) -> Stacks:
    """Stack -> count; blank lines are skipped and a stack seen twice adds up.

    Frames hold spaces (`handler (file.py)`), so the count is what follows the last space.
    """
    stacks: Stacks = Counter()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        try:
            value = float(count)
        except ValueError:
            value = -1.0
        if not stack or value < 0 or value != int(value):
            raise ValueError(f"line {number} is not `stack COUNT`: {line[:80]!r}")
        stacks[stack] += int(value)
    return stacks


def read(path: Path) -> Stacks:
    """The stacks in a collapsed file; ValueError names the file when a line is malformed."""
    try:
        return parse(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


def lines(stacks: Mapping[str, int]) -> list[str]:
    """Collapsed lines, sorted by stack (the order inferno and difffolded expect), no zeros."""
    return [f"{stack} {count}" for stack, count in sorted(stacks.items()) if count > 0]


def merge(*profiles: Mapping[str, int]) -> Stacks:
    """Several profiles added up, stack by stack."""
    total: Stacks = Counter()
    for profile in profiles:
        total.update(profile)
    return total


def total(stacks: Mapping[str, int]) -> int:
    """Every count added up: all samples, or all microseconds."""
    return sum(stacks.values())


def self_time(stacks: Mapping[str, int]) -> Stacks:
    """Each frame's own time: the counts of the stacks it is the last frame of."""
    own: Stacks = Counter()
    for stack, count in stacks.items():
        own[stack.rsplit(";", 1)[-1]] += count
    return own


def top(stacks: Mapping[str, int], n: int = 10) -> list[tuple[str, int, float]]:
    """The `n` frames with the most self time: (frame, count, share of the total)."""
    whole = total(stacks) or 1
    return [(frame, count, count / whole) for frame, count in self_time(stacks).most_common(n)]
