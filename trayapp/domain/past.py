"""A page's incident history: when past incidents began and ended, by impact.

The input of the expected-duration figure (:mod:`trayapp.core.eta`): the page's
own history (its ``incidents.json``, read rarely) and the incidents this
machine's history store saw open and resolve. Plain frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trayapp.domain.levels import Level

MAX_PAST = 50           # Statuspage serves its 50 newest incidents; more are never kept


@dataclass(frozen=True, slots=True)
class PastIncident:
    id: str
    impact: Level                       # as the feed's adapter maps it (none -> operational)
    start: datetime
    end: datetime | None = None         # None: still open (or its end is not known)
    components: tuple[str, ...] = ()    # component ids and names it names, if any


@dataclass(frozen=True, slots=True)
class PastIncidents:
    """What is known of one service's past incidents, newest first."""

    page: tuple[PastIncident, ...] = ()       # the page's own history, at most MAX_PAST
    machine: tuple[PastIncident, ...] = ()    # resolved incidents this machine recorded
    read_at: datetime | None = None           # when the page's history was last read


@dataclass(frozen=True, slots=True)
class Figures:
    """How long resolved incidents of one impact lasted."""

    impact: Level
    median_minutes: int
    p25_minutes: int
    p75_minutes: int
    count: int              # resolved incidents of this impact the figures rest on
    of: int                 # incidents read in all (every impact), the "of the last N"
    basis: str              # PAGE, MACHINE or BOTH


@dataclass(frozen=True, slots=True)
class Eta:
    """The figure for the open incident: its impact's :class:`Figures`, and when."""

    figures: Figures
    started_at: datetime
    expected_end: datetime | None       # start + median; None once that is past
    open_minutes: int
