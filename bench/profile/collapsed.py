"""Collapsed stacks, one `frame;frame;frame COUNT` a line (py-spy's raw format): read, sum, rank."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path


class CollapsedError(ValueError):
    """A line that is not `stack COUNT`; the message names the line (and the file)."""


Stacks = Counter[str]
"""A profile: each stack (root first, frames joined by `;`) -> its count (samples or µs)."""
NO_FRAMES = "(no Python frames)"
"""The stack py-spy writes empty (` 2`): a thread caught with no Python frame on it."""


def parse(lines: Iterable[str]) -> Stacks:
    """Stack -> count; blank lines are skipped and a stack seen twice adds up.

    Frames hold spaces (`handler (file.py)`), so the count is what follows the last space.
    """
    stacks: Stacks = Counter()
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if not line:
            continue
        stack, space, count = line.rpartition(" ")
        try:
            value = float(count)
        except ValueError:
            value = -1.0
        if not space or value < 0 or value != int(value):
            raise CollapsedError(f"line {number} is not `stack COUNT`: {line[:80]!r}")
        stacks[stack.strip() or NO_FRAMES] += int(value)
    return stacks


def read(path: Path) -> Stacks:
    """The stacks in a collapsed file; CollapsedError names the file and the bad line."""
    try:
        return parse(path.read_text(encoding="utf-8", errors="replace").split("\n"))
    except CollapsedError as e:
        raise CollapsedError(f"{path}: {e}") from None


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
