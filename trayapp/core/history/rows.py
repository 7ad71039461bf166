"""What the store reads back: plain rows, no sqlite3 (the report and the details
window's strips work on these)."""

from __future__ import annotations

from dataclasses import dataclass

from trayapp.core.history.uptime import Span

DAMAGED = "damaged"
"""A value the history file holds but trayapp never writes (a level code out of range,
text where a number belongs): shown as this word, never guessed and never a crash."""


@dataclass(frozen=True, slots=True)
class IncidentRow:
    service: str
    id: str
    name: str
    impact: str
    status: str
    opened_at: int | None
    updated_at: int | None
    first_seen_at: int
    last_seen_at: int
    resolved_at: int | None


@dataclass(frozen=True, slots=True)
class ChangeRow:
    service: str
    at: int
    old: str
    new: str
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class ProbeStats:
    n: int
    bad: int
    min_ms: int | None
    median_ms: int | None
    max_ms: int | None


@dataclass
class Contents:
    """Everything the report needs, read in one go."""
    services: dict[str, str]                                  # id -> name, in order
    spans: dict[tuple[str, str], list[Span]]                  # (id, source) -> spans
    changes: list[ChangeRow]
    incidents: list[IncidentRow]
    probe: dict[str, ProbeStats]
    damaged: int = 0          # rows left out: a time or a key that is not one
