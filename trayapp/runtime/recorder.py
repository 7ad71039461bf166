"""The history hook of the loop: one :class:`Recorder` per Runner (and per ``status``).

It turns each cycle's result into a record (pure, :mod:`.record`) and hands it
to the store's writer, opened on the first cycle: ``sqlite3`` is imported then,
not before. ``history_days = 0`` turns history off. Never raises.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from trayapp.config import Config
from trayapp.core.monitor import StepResult

if TYPE_CHECKING:
    from trayapp.edges.history_store import HistoryWriter

log = logging.getLogger("trayapp.history")


class Recorder:
    def __init__(self, config: Config, path: Path | None = None) -> None:
        self.path = path
        self.writer: HistoryWriter | None = None
        self.reconfigure(config)

    def reconfigure(self, config: Config) -> None:
        self.config = config
        self.feeds = frozenset(s.id for s in config.services if s.feed is not None)
        self.probes = frozenset(s.id for s in config.services if s.probe is not None)
        if self.writer is not None:
            self.writer.days = config.history_days

    def record(self, result: StepResult) -> bool:
        if self.config.history_days <= 0:
            return False
        try:
            from trayapp.core.history.record import from_step
            rec = from_step(result, self.config.interval, self.feeds, self.probes)
            if self.writer is None:
                from trayapp.edges.history_store import HistoryWriter, default_path
                self.writer = HistoryWriter(self.path or default_path(),
                                            self.config.history_days)
            return self.writer.record(rec)
        except Exception:           # history must never stop the monitoring
            log.exception("history: recording a cycle failed")
            return False

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
