"""How long incidents of one impact usually last: the expected-duration figure. Pure.

From :class:`~trayapp.domain.past.PastIncidents`: per impact (minor = degraded,
major = partial outage, critical = major outage), the durations of the
resolved incidents, end minus start, in minutes. Two bases, never counted twice:

* ``page``: the page's own history (its last 50 incidents);
* ``this machine``: incidents this machine's history store saw open and resolve
  (the page's times when it gave them), counted only when the page's history does
  not list the same id (older than its last 50, or a page without a history
  document).

The figure is the median and the quartiles (p25, p75: the "middle half") with
linear interpolation between the closest ranks (the ``inclusive`` method of
Python's ``statistics.quantiles``), rounded half up to whole minutes, over the
incidents of that impact; ``basis`` names which of the two bases contributed.
With fewer than :data:`MIN_INCIDENTS` resolved incidents of that impact there is
no figure at all: nothing is said rather than a guess. Impact ``none``,
maintenance, an unknown impact and a negative duration (an incident posted after
it was resolved) never count; an incident still open counts only once resolved.

With a component filter, an incident that names components counts only when it
names one of the chosen ones (Google Cloud's history spans every product); one
naming none counts (Statuspage's ``incidents.json`` often lists none).
Linear in the history; no ``statistics`` import (the tray's memory).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from trayapp.domain.levels import Level
from trayapp.domain.model import Component, Incident
from trayapp.domain.past import Eta, Figures, PastIncident, PastIncidents

MIN_INCIDENTS = 5
PAGE, MACHINE, BOTH = "page", "this machine", "page and this machine"
IMPACTS = (Level.DEGRADED, Level.PARTIAL_OUTAGE, Level.MAJOR_OUTAGE)


def quantile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks of a sorted non-empty list."""
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _chosen(inc: PastIncident, entries: tuple[str, ...]) -> bool:
    if not entries or not inc.components:
        return True
    folded = [e.casefold().strip() for e in entries]
    return any(e == c.casefold() or (e and c.casefold().startswith(e))
               for e in folded for c in inc.components)


def _counted(past: PastIncidents, entries: tuple[str, ...]
             ) -> tuple[list[tuple[PastIncident, str]], int]:
    """(incident, its basis) of every incident that may count, and how many were read."""
    page_ids = {i.id for i in past.page}
    pool = [(i, PAGE) for i in past.page] + \
        [(i, MACHINE) for i in past.machine if i.id not in page_ids]
    pool = [(i, b) for i, b in pool if _chosen(i, entries)]
    return pool, len(pool)


def figures(past: PastIncidents, impact: Level, entries: tuple[str, ...] = ()
            ) -> Figures | None:
    """The figures for ``impact``, or None (fewer than MIN_INCIDENTS resolved)."""
    return _figures(*_counted(past, entries), impact)


def all_figures(past: PastIncidents, entries: tuple[str, ...] = ()) -> tuple[Figures, ...]:
    """The figures of every impact that has enough incidents, mildest first."""
    pool, read = _counted(past, entries)
    return tuple(f for impact in IMPACTS if (f := _figures(pool, read, impact)) is not None)


def _figures(pool: Iterable[tuple[PastIncident, str]], read: int,
             impact: Level) -> Figures | None:
    minutes: list[float] = []
    bases: set[str] = set()
    for inc, basis in pool:
        if inc.impact is not impact or inc.end is None:
            continue
        seconds = (inc.end - inc.start).total_seconds()
        if seconds < 0:
            continue
        minutes.append(seconds / 60)
        bases.add(basis)
    if len(minutes) < MIN_INCIDENTS or impact not in IMPACTS:
        return None
    minutes.sort()
    basis = BOTH if len(bases) == 2 else bases.pop()
    return Figures(impact, _whole(quantile(minutes, 0.5)), _whole(quantile(minutes, 0.25)),
                   _whole(quantile(minutes, 0.75)), len(minutes), read, basis)


def _whole(minutes: float) -> int:
    """Rounded half up (22.5 -> 23), not to even."""
    return int(minutes + 0.5)


def _names_chosen(inc: Incident, chosen: tuple[Component, ...]) -> bool:
    ids = {c.id for c in chosen}
    names = {c.name.casefold() for c in chosen}
    return not ids.isdisjoint(inc.component_ids) or \
        not names.isdisjoint(n.casefold() for n in inc.components)


def open_incident(incidents: Iterable[Incident],
                  chosen: tuple[Component, ...] = ()) -> Incident | None:
    """The open incident the figure is for: the worst impact, then the oldest. With a
    component filter (``chosen``: the components it picked), only the incidents naming
    one of them, when any does (as the filter counts incidents)."""
    pool = list(incidents)
    if chosen:
        pool = [i for i in pool if _names_chosen(i, chosen)] or pool
    best: Incident | None = None
    for inc in pool:
        if inc.created_at is None or inc.impact not in IMPACTS:
            continue
        if best is None or inc.impact.rank > best.impact.rank or (
                inc.impact is best.impact and best.created_at is not None
                and inc.created_at < best.created_at):
            best = inc
    return best


def expected(past: PastIncidents | None, incidents: Iterable[Incident], now: datetime,
             entries: tuple[str, ...] = (), chosen: tuple[Component, ...] = ()
             ) -> Eta | None:
    """The figure for the service's open incident, or None (no open incident, no
    history, or too few incidents of its impact). ``entries``: the component filter;
    ``chosen``: the components it picked."""
    if past is None:
        return None
    inc = open_incident(incidents, chosen if entries else ())
    if inc is None or inc.created_at is None:
        return None
    found = figures(past, inc.impact, entries)
    if found is None:
        return None
    end = inc.created_at + timedelta(minutes=found.median_minutes)
    open_for = max(0, int((now - inc.created_at).total_seconds() // 60))
    return Eta(found, inc.created_at, end if end > now else None, open_for)


def basis_words(basis: str, page: str) -> str:
    """``on Anthropic's page``, ``seen by this machine``, or both."""
    if basis == PAGE:
        return f"on {page}'s page"
    if basis == MACHINE:
        return "as this machine saw them"
    return f"on {page}'s page and as this machine saw them"


def figures_words(f: Figures, page: str) -> str:
    """"incidents of this impact on Anthropic's page lasted a median of 47 min (middle
    half 20-95 min, 31 of the last 50)"."""
    return (f"incidents of this impact {basis_words(f.basis, page)} lasted a median of "
            f"{minutes_words(f.median_minutes)} (middle half {span_words(f)}, "
            f"{f.count} of the last {f.of})")


def span_words(f: Figures) -> str:
    """"20-95 min", "2-5 h"."""
    if f.p25_minutes >= 120:
        return f"{_hours(f.p25_minutes)}-{_hours(f.p75_minutes)} h"
    return f"{f.p25_minutes}-{f.p75_minutes} min"


def minutes_words(minutes: int) -> str:
    """"47 min", "3 h 5 min"."""
    if minutes < 120:
        return f"{minutes} min"
    h, m = divmod(minutes, 60)
    return f"{h} h {m} min" if m else f"{h} h"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.0f}" if minutes % 60 == 0 or minutes >= 600 else f"{minutes / 60:.1f}"


def usually_words(eta: Eta) -> str:
    """The details window's line: "usually 20-95 min; open for 38 min"."""
    return f"usually {span_words(eta.figures)}; open for {minutes_words(eta.open_minutes)}"


def typically_words(eta: Eta) -> str:
    """The notification's: "typically lasts about 45 min"."""
    return f"typically lasts about {minutes_words(eta.figures.median_minutes)}"


def eta_json(eta: Eta | None) -> dict[str, object] | None:
    if eta is None:
        return None
    f = eta.figures
    out: dict[str, object] = {
        "impact": str(f.impact), "median_minutes": f.median_minutes,
        "p25_minutes": f.p25_minutes, "p75_minutes": f.p75_minutes, "count": f.count,
        "of": f.of, "basis": f.basis,
        "started_at": eta.started_at.astimezone(UTC).isoformat(),
        "open_minutes": eta.open_minutes}
    if eta.expected_end is not None:
        out["expected_end"] = eta.expected_end.astimezone(UTC).isoformat()
    return out


def figures_json(found: Iterable[Figures]) -> list[dict[str, object]]:
    """``history --json``'s ``incident_stats``."""
    return [{"impact": str(f.impact), "median_minutes": f.median_minutes,
             "p25_minutes": f.p25_minutes, "p75_minutes": f.p75_minutes,
             "count": f.count, "of": f.of, "basis": f.basis} for f in found]


def _minutes(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) \
        and 0 <= value <= 10**7 else None


def eta_from_json(data: object, now: datetime) -> Eta | None:
    """An :func:`eta_json` read back (the details window reads the snapshot file):
    every field checked, the open time counted to ``now``; None when anything is off."""
    if not isinstance(data, dict):
        return None
    nums = [_minutes(data.get(k)) for k in ("median_minutes", "p25_minutes", "p75_minutes",
                                            "count", "of")]
    impact, basis, started = data.get("impact"), data.get("basis"), data.get("started_at")
    if None in nums or basis not in (PAGE, MACHINE, BOTH) or not isinstance(started, str):
        return None
    try:
        level = Level(impact) if isinstance(impact, str) else None
        start = datetime.fromisoformat(started[:64])
    except ValueError:
        return None
    if level not in IMPACTS or start.tzinfo is None:
        return None
    median, p25, p75, count, of = (n or 0 for n in nums)
    end = start + timedelta(minutes=median)
    return Eta(Figures(level, median, p25, p75, count, of, str(basis)), start,
               end if end > now else None,
               max(0, int((now - start).total_seconds() // 60)))
