"""WholeRunProfile: yappi from start-up to shutdown, its five files written once drained."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from taskservice.config import Config
from taskservice.profiling.output import check_output_folder, save_profile
from taskservice.profiling.render import RenderError
from taskservice.profiling.session import YappiSession, load_yappi
from taskservice.utils.logutils import log_event

_logger = logging.getLogger("taskservice")


class WholeRunProfile:
    """The `profiling:` config section at work: check, start, then stop and save."""

    def __init__(self, clock: str, folder: Path) -> None:
        self.clock = clock
        self.folder = folder
        self.session = YappiSession()

    @classmethod
    def from_config(cls, config: Config) -> WholeRunProfile | None:
        """The profile the config asks for, or None when profiling.yappi is off."""
        if not config.profiling_yappi:
            return None
        folder = Path(config.profiling_output or f"yappi-{os.getpid()}").absolute()
        return cls(config.profiling_clock, folder)

    def check(self) -> None:
        """Fail at start-up rather than at shutdown: OutputError, or ProfilerMissing."""
        load_yappi()
        check_output_folder(self.folder)

    def start(self) -> None:
        """Start recording (ProfilerBusy if yappi is already running)."""
        self.session.start(self.clock)

    async def finish(self) -> bool:
        """Stop recording and write the files off the event loop; False (logged) on failure."""
        stats = self.session.stop()
        try:
            paths = await asyncio.to_thread(save_profile, stats, self.folder)
        except (OSError, RenderError) as e:
            reason = getattr(e, "strerror", None) or str(e)
            log_event(_logger, logging.ERROR, "YAPPI_FAILED", {}, folder=self.folder, error=reason)
            return False
        log_event(
            _logger,
            logging.INFO,
            "YAPPI_SAVED",
            {},
            folder=self.folder,
            clock=self.clock,
            files=len(paths),
        )
        return True
