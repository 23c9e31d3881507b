"""Run folders under profiles/: a new one per run, named by time and kind, and the saved ones."""

from __future__ import annotations

import time
from pathlib import Path

from bench.results import LOAD_JSON, MICRO_JSON

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"


def new_run_folder(profiles: Path, kind: str) -> Path:
    """A fresh folder `<YYYYmmdd-HHMMSS>-bench-<kind>`; a suffix keeps same-second runs apart."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        folder = profiles / f"{stamp}-bench-{kind}{f'-{n}' if n else ''}"
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(f"{profiles}: too many runs named {stamp}-bench-{kind}")


def saved_runs(profiles: Path) -> list[Path]:
    """Every folder that holds bench results, oldest first (their names start with the time)."""
    if not profiles.is_dir():
        return []
    return sorted(
        folder
        for folder in profiles.iterdir()
        if (folder / MICRO_JSON).is_file() or (folder / LOAD_JSON).is_file()
    )


def earlier_runs(profiles: Path, current: Path) -> list[Path]:
    """The saved runs from before `current`, oldest first."""
    return [f for f in saved_runs(profiles) if f.name < current.name]


def find_run(profiles: Path, name: str) -> Path:
    """A saved run named by its path or its folder name; FileNotFoundError says what exists."""
    for candidate in (Path(name), profiles / name):
        if candidate.is_dir():
            return candidate
    known = ", ".join(f.name for f in saved_runs(profiles)[-5:]) or "none yet"
    raise FileNotFoundError(f"no saved run {name!r} (latest: {known})")
