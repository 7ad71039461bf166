"""Uptime arithmetic. Pure: spans in, percentages out, ``now`` passed in.

A span says "this source was observed at this state from ``start`` to ``end``"
(Unix seconds). Between two spans nothing was observed: a gap (laptop asleep,
trayapp not running). States are the levels plus ``offline`` (the laptop's own
network was down: never the vendor's downtime).

Uptime over a window = up time / observed time, where up = operational,
maintenance or degraded and down = partial or major outage; unknown, offline and
gaps are not observed time. The observed share (observed / window) goes with it,
so "99.9 % of 3 hours" is not mistaken for a month.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OFFLINE = "offline"
UP = frozenset({"operational", "maintenance", "degraded"})
DOWN = frozenset({"partial_outage", "major_outage"})
PROBLEM = frozenset({"degraded", "partial_outage", "major_outage"})
WINDOWS = {"24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400}


@dataclass(frozen=True, slots=True)
class Span:
    start: float
    end: float
    state: str            # a Level's value, or "offline"


@dataclass(frozen=True, slots=True)
class Uptime:
    up: float             # seconds
    down: float
    window: float

    @property
    def observed(self) -> float:
        return self.up + self.down

    @property
    def percent(self) -> float | None:
        """Up share of the observed time, in percent; None when nothing was observed."""
        return None if self.observed <= 0 else 100.0 * self.up / self.observed

    @property
    def observed_percent(self) -> float:
        return 0.0 if self.window <= 0 else 100.0 * self.observed / self.window


def clip(spans: Iterable[Span], start: float, end: float) -> list[Span]:
    """The parts of ``spans`` inside [start, end], in time order."""
    out = [Span(max(s.start, start), min(s.end, end), s.state) for s in spans
           if s.end > start and s.start < end]
    return sorted(out, key=lambda s: s.start)


def uptime(spans: Iterable[Span], now: float, seconds: float) -> Uptime:
    up = down = 0.0
    for s in clip(spans, now - seconds, now):
        length = s.end - s.start
        if s.state in UP:
            up += length
        elif s.state in DOWN:
            down += length
    return Uptime(up, down, seconds)


def windows(spans: Sequence[Span], now: float) -> dict[str, Uptime]:
    return {name: uptime(spans, now, seconds) for name, seconds in WINDOWS.items()}


def first_problem(spans: Iterable[Span], start: float, end: float) -> float | None:
    """When the first problem span (degraded or worse) inside [start, end] began."""
    starts = [s.start for s in spans if s.state in PROBLEM and s.end >= start and
              s.start <= end]
    return min(starts) if starts else None


def observed_between(spans: Iterable[Span], start: float, end: float) -> bool:
    return any(s.state in UP or s.state in DOWN for s in clip(spans, start, end))


LEAD_SLACK = 2 * 3600.0     # how far before the page's time a probe problem still counts


def lead_time(probe: Sequence[Span], page_at: float, until: float) -> float | None:
    """Seconds by which the probe saw trouble before the page said so (negative:
    after it), for an incident the page dated ``page_at`` that lasted until
    ``until``; None when the probe saw no trouble then."""
    seen = first_problem(probe, page_at - LEAD_SLACK, max(until, page_at))
    return None if seen is None else page_at - max(seen, page_at - LEAD_SLACK)


def humanize(seconds: float) -> str:
    """``45 s``, ``6 min``, ``2 h 5 min``, ``3 d 4 h``."""
    s = round(abs(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(s // 3600, 24)
    return f"{d} d {h} h" if h else f"{d} d"
