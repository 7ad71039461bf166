"""What one cycle leaves in the history, from the one decision. Pure.

:func:`from_step` turns a :class:`~trayapp.core.monitor.StepResult` (its snapshot,
its events, the monitor's damped probe levels) into a :class:`CycleRecord`:
per service the state of the page, of the API probes (the probe and the model
probes, each after its thresholds) and of the two combined, the
probe's latency, the page's active incidents; and the level changes with their
source. Only what answers "what happened": never a raw feed body, never a key
(the probe's detail is not kept, only its code and latency).

A page that could not be read this cycle (or is only *stale*: unreadable, its
last level still counting for the icon) is not observed: ``unknown`` here, so it
neither adds up time nor down time. The probe likewise, when it had no answer
that tells (``unknown``, blocked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trayapp.core.history.uptime import OFFLINE
from trayapp.core.modelwatch import models_level
from trayapp.core.monitor import StepResult
from trayapp.domain.levels import Level, worst
from trayapp.domain.model import EventKind, ServiceStatus

UNKNOWN = Level.UNKNOWN.value


@dataclass(frozen=True, slots=True)
class IncidentSeen:
    id: str
    name: str
    impact: str
    status: str
    opened_at: int | None       # the page's own times (Unix seconds)
    updated_at: int | None


@dataclass(frozen=True, slots=True)
class ServiceCycle:
    id: str
    name: str
    combined: str
    page: str | None            # None: the service has no status page
    probe: str | None           # None: no probe; else the probe's and the models' level
    latency_ms: int | None = None
    probe_raw: str | None = None        # this poll's own probe level (before damping)
    status_code: int | None = None
    incidents: tuple[IncidentSeen, ...] | None = None   # None: the page was not read


@dataclass(frozen=True, slots=True)
class Change:
    service: str
    at: int
    old: str
    new: str
    source: str                 # page | probe | both
    reason: str


@dataclass(frozen=True, slots=True)
class CycleRecord:
    at: int
    offline: bool
    services: tuple[ServiceCycle, ...]
    changes: tuple[Change, ...]
    max_gap: int                # seconds between polls beyond which time is a gap


def _ts(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _page_readable(s: ServiceStatus) -> bool:
    return s.feed is not None and s.feed.problem is None and s.stale_since is None


def _service(result: StepResult, s: ServiceStatus, has_feed: bool,
             has_probe: bool) -> ServiceCycle:
    if result.snapshot.offline:
        return ServiceCycle(s.id, s.name, OFFLINE, OFFLINE if has_feed else None,
                            OFFLINE if has_probe else None)
    readable = _page_readable(s)
    page = s.feed.level.value if readable and s.feed is not None else UNKNOWN
    probe: str | None = None
    probe_raw = latency = code = None
    if s.probe is not None:
        mem = result.state.services.get(s.id)
        damped = mem.probe_level if mem is not None else Level.UNKNOWN
        probe = damped.value if s.probe.level is not Level.UNKNOWN else UNKNOWN
        probe_raw, latency, code = s.probe.level.value, s.probe.latency_ms, s.probe.status_code
    if has_probe and s.models:
        # The API side is the probe and the model probes (each after its thresholds):
        # a failing model is trouble this machine saw, as on the icon.
        probe = worst([Level(probe or UNKNOWN), models_level([m.level for m in s.models])]).value
    combined = worst(Level(x) for x in (page, probe or UNKNOWN))
    if s.level is Level.UNKNOWN:
        combined = Level.UNKNOWN
    incidents = None
    if readable and s.feed is not None:
        incidents = tuple(IncidentSeen(i.id, i.name, i.impact.value, i.status,
                                       _ts(i.created_at), _ts(i.updated_at))
                          for i in s.feed.incidents)
    return ServiceCycle(s.id, s.name, combined.value, page if has_feed else None, probe,
                        latency, probe_raw, code, incidents)


def source_of(new: str, page: str | None, probe: str | None) -> str:
    """Which side made a change: the sides whose level is the new one."""
    p, q = page == new, probe == new
    if p and q:
        return "both"
    if q:
        return "probe"
    return "page"       # the page's level (or its last one, while unreadable) held it


def from_step(result: StepResult, interval: int, feeds: frozenset[str] | None = None,
              probes: frozenset[str] | None = None) -> CycleRecord:
    """``feeds``/``probes``: ids of the services that have a status page / a probe in
    the config (default: those whose snapshot carries one; an offline snapshot has none)."""
    from trayapp.core.monitor import gap_limit

    snap = result.snapshot
    services = tuple(_service(result, s,
                              s.feed is not None if feeds is None else s.id in feeds,
                              s.probe is not None if probes is None else s.id in probes)
                     for s in snap.services)
    by_id = {s.id: s for s in services}
    changes = []
    for e in result.events:
        if e.kind not in (EventKind.WORSE, EventKind.BETTER) or e.old is Level.UNKNOWN:
            continue            # from unknown is a first sight (a start, a `status` run)
        sc = by_id.get(e.service)
        src = source_of(e.new.value, sc.page if sc else None, sc.probe if sc else None)
        changes.append(Change(e.service, int(e.at.timestamp()), e.old.value, e.new.value,
                              src, e.reason))
    return CycleRecord(int(snap.checked_at.timestamp()), snap.offline, services,
                       tuple(changes), int(gap_limit(interval).total_seconds()))
