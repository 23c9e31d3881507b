"""Saved bench run folders as `./run.py bench` writes them: meta.json, ratios.json, load.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.ratios import RATES, sample_doc

LOAD_ROW = {"rps": 800.0, "p50_ms": 20.0, "p95_ms": 45.0, "p99_ms": 70.0, "max_ms": 210.0,
            "requests": 7000, "failures": 0, "generator_cpu": 46.0}  # fmt: skip


def meta(commit: str, dirty: bool = False) -> dict[str, Any]:
    """meta.json as `./run.py bench` writes it."""
    machine = {"node": "vm", "cpu": "AMD EPYC", "cpus": 2, "arch": "x86_64", "system": "Linux"}
    return {"machine": machine, "python": "CPython 3.11.7", "commit": commit, "dirty": dirty}


def save(root: Path, name: str, commit: str | None = "abc1234def", **files: Any) -> Path:
    """A bench run folder `root/name` holding meta.json and `files` (name -> JSON document)."""
    folder = root / name
    folder.mkdir(parents=True)
    if commit:
        (folder / "meta.json").write_text(json.dumps(meta(commit)))
    for file, doc in files.items():
        (folder / file.replace("_", ".")).write_text(json.dumps(doc))
    return folder


def ratios(scale: dict[str, float] | None = None, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """ratios.json from the sample rates, each named service scenario's rates times its factor."""
    rates = {k: [r * (scale or {}).get(k, 1.0) for r in v] for k, v in RATES.items()}
    return sample_doc({k: v for k, v in rates.items() if not only or k in only})


def load(**rows: dict[str, float]) -> dict[str, Any]:
    """load.json with a scenario per keyword (its underscores dashes), changed from LOAD_ROW."""
    scenarios = {k.replace("_", "-"): {**LOAD_ROW, **v} for k, v in rows.items()}
    return {"scenarios": scenarios, "settings": {"users": 20, "duration_s": 10.0}}
