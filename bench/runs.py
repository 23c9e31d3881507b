"""Run folders under profiles/: a new one per run, named by time and kind, and the saved ones."""

from __future__ import annotations

import time
from pathlib import Path

from bench.results import RESULT_FILES

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"


def new_folder(root: Path, name: str) -> Path:
    """A fresh folder `root/<YYYYmmdd-HHMMSS>-<name>`; a suffix keeps same-second runs apart.

    OSError when the root cannot hold it (not a folder, not writable).
    """
    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    for n in range(1, 100):
        folder = root / (stem if n == 1 else f"{stem}-{n}")
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(f"{root}: too many runs named {stem}")


def new_run_folder(profiles: Path, kind: str) -> Path:
    """A fresh bench run folder, `<YYYYmmdd-HHMMSS>-bench-<kind>`."""
    return new_folder(profiles, f"bench-{kind}")


def saved_runs(profiles: Path) -> list[Path]:
    """Every folder that holds bench results, oldest first (their names start with the time)."""
    if not profiles.is_dir():
        return []
    return sorted(
        folder
        for folder in profiles.iterdir()
        if any((folder / name).is_file() for name in RESULT_FILES)
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
