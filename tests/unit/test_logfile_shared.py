"""RotatingFile shared by several processes (the workers of --workers N): one rotation per full
file, every line kept exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MAX_BYTES = 4000
WRITERS = 3
LINES = 300

_WRITER = """
import sys, time
from taskservice.utils.logfile import RotatingFile
handler = RotatingFile(sys.argv[1], maxBytes=int(sys.argv[2]), backupCount=1000, encoding="utf-8")
name, lines = sys.argv[3], int(sys.argv[4])
for n in range(lines):
    handler.write_line(f"writer={name} line={n:04d} " + "x" * 20)
    time.sleep(0.0005)  # the writers' lines interleave, as workers' requests do
handler.close()
"""


def test_processes_sharing_a_file_rotate_it_once_when_full_and_lose_no_line(
    tmp_path: Path,
) -> None:
    log = tmp_path / "shared.log"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(log), str(MAX_BYTES), f"w{i}", str(LINES)],
            env=env,
        )
        for i in range(WRITERS)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0] * WRITERS
    files = sorted(tmp_path.glob("shared.log*"))
    lines = [line for f in files for line in f.read_text().splitlines()]
    expected = {
        f"writer=w{i} line={n:04d} " + "x" * 20 for i in range(WRITERS) for n in range(LINES)
    }
    assert sorted(lines) == sorted(expected)  # each once: none lost, none doubled
    total = sum(f.stat().st_size for f in files)
    # Each writer looks at the file every MAX_BYTES/16 of its own lines, so the others can add
    # that much each before it sees the file is full.
    slack = (WRITERS - 1) * MAX_BYTES // 16 + 2 * 43
    assert all(f.stat().st_size <= MAX_BYTES + slack for f in files), [
        f.stat().st_size for f in files
    ]
    # Rotated once per full file: about total/MAX_BYTES files, not WRITERS times as many.
    assert len(files) <= total // (MAX_BYTES - slack) + 2
    rotated = [f for f in files if f.name != "shared.log"]
    assert all(f.stat().st_size >= MAX_BYTES - slack for f in rotated), [
        f.stat().st_size for f in rotated
    ]
