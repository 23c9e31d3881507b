"""The service configs the ratios run with, copied so their log files land in the run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROD_CONFIG = ROOT / "configs" / "todoList-prod.yaml"
"""Issue 6's production config: one canonical INFO line per request to a rotating file."""
FALLBACK_CONFIG = ROOT / "configs" / "todoList-load.yaml"
"""Production-like logging too; used only on a tree that has no PROD_CONFIG yet."""
LOCAL_CONFIG = ROOT / "configs" / "todoList-local.yaml"
"""The tutorial's local config: DEBUG lines to a file and INFO lines to the console."""


def production_config() -> Path:
    """PROD_CONFIG where it exists, else FALLBACK_CONFIG."""
    return PROD_CONFIG if PROD_CONFIG.is_file() else FALLBACK_CONFIG


def shown(path: Path) -> str:
    """A config's path relative to the repository when it is inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def localized(config: Path, logs: Path, dest: Path) -> Path:
    """Copy `config` to `dest` with every logging handler's file moved into the folder `logs`.

    The tutorial's config logs to /tmp and a production one to wherever it runs; a benchmark
    must leave nothing behind outside its run folder.
    """
    data: Any = yaml.safe_load(config.read_text())
    handlers = ((data or {}).get("logging") or {}).get("handlers") or {}
    for name, handler in handlers.items():
        if isinstance(handler, dict) and "filename" in handler:
            handler["filename"] = str(logs / f"{name}-{Path(str(handler['filename'])).name}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(yaml.safe_dump(data, sort_keys=False))
    return dest
