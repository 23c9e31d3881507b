"""The standard load benchmark that `./run.py bench` runs: load.json per scenario."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.load import last_line
from tests.support.server import REPO


def test_standard_benchmark_writes_numbers_per_scenario(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    result = subprocess.run(
        [sys.executable, "-m", "bench.load.standard", "--out", str(out), "--duration", "2",
         "--scenarios", "list"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert last_line(result.stdout) == str(out)
    row = json.loads((out / "load.json").read_text())["scenarios"]["list"]
    assert set(row) == {
        "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "requests", "failures", "generator_cpu"
    }  # fmt: skip
    assert row["requests"] > 0
    assert row["failures"] == 0
    assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
    assert (out / "load" / "list" / "summary.md").exists()
