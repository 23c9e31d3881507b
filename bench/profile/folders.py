"""Run folders under the profiles root: a fresh one per run, and finding a finished one by name."""

from __future__ import annotations

from pathlib import Path

from bench import runs


class RunNotFound(LookupError):
    """No run folder by that name; the message lists the latest ones."""


class FolderError(RuntimeError):
    """No run folder can be made under the profiles root; the message is one line."""


def new_folder(root: Path, name: str) -> Path:
    """`root/<YYYYmmdd-HHMMSS>-<name>/`, made afresh; a suffix keeps same-second runs apart.

    FolderError when the root cannot hold it (not a folder, not writable).
    """
    try:
        return runs.new_folder(root, name)
    except OSError as e:
        reason = e.strerror or str(e)
        raise FolderError(f"cannot make a run folder under {root}: {reason}") from None


def find_run(root: Path, name: str) -> Path:
    """A run folder (one holding run.json) named by its path or by its name under `root`."""
    for candidate in (Path(name), root / name):
        if (candidate / "run.json").is_file():
            return candidate
    runs = sorted(p.parent.name for p in root.glob("*/run.json")) if root.is_dir() else []
    latest = ", ".join(runs[-3:]) or "none yet"
    raise RunNotFound(f"no profile run {name!r} under {root} (latest: {latest})")
