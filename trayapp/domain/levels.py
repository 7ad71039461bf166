"""One vocabulary of levels, ordered from good to bad, plus ``unknown``.

``operational < maintenance < degraded < partial_outage < major_outage``.
``unknown`` means "could not tell": combining levels takes the worst *known*
one, so ``unknown`` never hides a known level and is never an outage.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Level(StrEnum):
    OPERATIONAL = "operational"
    MAINTENANCE = "maintenance"
    DEGRADED = "degraded"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Severity order; ``unknown`` ranks below everything known."""
        return _RANK[self]

    @property
    def label(self) -> str:
        """Human wording: "partial outage"."""
        return self.value.replace("_", " ")

    @property
    def is_problem(self) -> bool:
        """Degraded or worse: something a user should hear about."""
        return self.rank >= _RANK[Level.DEGRADED]

    @property
    def is_usable(self) -> bool:
        """Good enough to suggest as a fallback right now."""
        return self in (Level.OPERATIONAL, Level.DEGRADED)

    def __str__(self) -> str:
        return self.value


_RANK = {
    Level.UNKNOWN: -1,
    Level.OPERATIONAL: 0,
    Level.MAINTENANCE: 1,
    Level.DEGRADED: 2,
    Level.PARTIAL_OUTAGE: 3,
    Level.MAJOR_OUTAGE: 4,
}


def worst(levels: Iterable[Level]) -> Level:
    """The worst known level, or ``unknown`` when none is known."""
    best = Level.UNKNOWN
    for level in levels:
        if level.rank > best.rank:
            best = level
    return best


def parse_level(value: str) -> Level | None:
    """A level from its wire name (``"partial_outage"``), or None."""
    try:
        return Level(value)
    except ValueError:
        return None
