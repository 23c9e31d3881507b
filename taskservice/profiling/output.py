"""Write a yappi run's five files: pstat, callgrind, collapsed stacks, SVG and the top table."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from taskservice.profiling.collapse import collapsed_from_yappi
from taskservice.profiling.render import render_svg
from taskservice.profiling.stats import ProfileStats
from taskservice.profiling.top import top_table


class OutputError(RuntimeError):
    """The output folder cannot be used; the message is one line for the operator."""


def file_names(clock: str) -> list[str]:
    """The names of the files save_profile writes for a clock."""
    stem = f"yappi-{clock}"
    return [f"{stem}.{ext}" for ext in ("pstat", "callgrind", "collapsed", "svg")] + [
        f"{stem}-top.txt"
    ]


def svg_title(clock: str) -> str:
    """The flame graph's title: which clock, and that the stacks are rebuilt, not sampled."""
    return f"yappi {clock} clock by route (stacks rebuilt from the call graph, microseconds)"


def check_output_folder(folder: Path) -> None:
    """Create the folder if needed and prove a file can be written there; OutputError if not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        reason = e.strerror or str(e)
        raise OutputError(f"profiling.output: cannot write to {folder}: {reason}") from None


def save_profile(stats: ProfileStats, folder: Path) -> list[Path]:
    """Write the five files into folder (created if needed); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    pstat, callgrind, collapsed, svg, top = (folder / name for name in file_names(stats.clock))
    stats.save(pstat, "pstat")
    stats.save(callgrind, "callgrind")
    lines = collapsed_from_yappi(stats)
    _write(collapsed, "".join(line + "\n" for line in lines))
    _write(svg, render_svg(lines, svg_title(stats.clock)))
    _write(top, top_table(stats))
    return [pstat, callgrind, collapsed, svg, top]


def profile_bytes(stats: ProfileStats, fmt: str) -> bytes:
    """One profile as a single file's bytes: "svg" (the flame graph) or "pstat"."""
    if fmt == "svg":
        return render_svg(collapsed_from_yappi(stats), svg_title(stats.clock)).encode("utf-8")
    # yappi writes pstat files only to a path.
    with tempfile.TemporaryDirectory(prefix="taskservice-profile-") as tmp:
        path = Path(tmp) / f"yappi-{stats.clock}.pstat"
        stats.save(path, "pstat")
        return path.read_bytes()


def _write(path: Path, text: str) -> None:
    # Whole or not at all: a reader never sees half a file.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
