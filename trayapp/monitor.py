"""The decision engine: observations -> levels, a snapshot and change events. Pure.

``step`` takes the previous :class:`MonitorState`, what one poll observed and
``now`` (passed in: the clock is never read here), and returns the new state,
the :class:`Snapshot` to show and the :class:`Event` list to announce.

Rules (the README's "How trayapp decides"):
* Offline (connectivity check failed, or a captive portal): every service is
  ``unknown`` with the reason; nothing is an outage; memory is left as it was.
* Service level = worst of the feed level (after the component filter) and
  the probe level. A filter that matches nothing makes the service ``unknown``.
* The probe is damped: a bad probe counts after ``failure_threshold``
  consecutive bad results, and clears after ``success_threshold`` good ones
  (a first good result counts at once: there is nothing to clear). An
  ``unknown`` probe (blocked) neither starts nor clears anything. Feed changes
  count at once.
* Events compare against the last *known* level, so an unreadable poll in
  between never causes a "recovered"/"down again" pair; while a feed is
  unreadable, what it last said still counts for events (the probe alone
  cannot announce a recovery from a page-declared outage).
* A wall-clock jump much larger than the interval (sleep/resume, clock set
  back) resets the probe streaks, so no stale half-counted failures complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from trayapp.assess import Assessed, assess
from trayapp.config import Config, ServiceConfig
from trayapp.connectivity import reason as offline_reason
from trayapp.levels import Level, worst
from trayapp.model import (
    Connectivity,
    Event,
    EventKind,
    Observation,
    ProbeResult,
    ServiceStatus,
    Snapshot,
    SourceProblem,
)

CLOCK_BACK_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class ServiceMemory:
    known_level: Level = Level.UNKNOWN          # last known level; events compare with it
    probe_level: Level = Level.UNKNOWN          # the probe's level after the thresholds
    bad_streak: int = 0
    good_streak: int = 0
    feed_seen: bool = False                     # a readable feed was seen at least once
    incidents: tuple[tuple[str, str], ...] = ()        # (id, name), active
    maintenances: tuple[tuple[str, str], ...] = ()     # (id, name), in progress
    broken_streak: int = 0
    feed_level: Level = Level.UNKNOWN           # what the last readable feed said


@dataclass(frozen=True, slots=True)
class MonitorState:
    last_poll: datetime | None = None
    services: Mapping[str, ServiceMemory] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StepResult:
    state: MonitorState
    snapshot: Snapshot
    events: tuple[Event, ...]
    resumed: bool = False         # a clock jump (sleep/resume) was detected


def gap_limit(interval: int) -> timedelta:
    """How long between polls counts as a sleep/resume rather than a slow poll."""
    return timedelta(seconds=max(3 * interval, interval + 120))


def is_clock_jump(last: datetime | None, now: datetime, interval: int) -> bool:
    if last is None:
        return False
    return now - last > gap_limit(interval) or now < last - CLOCK_BACK_TOLERANCE


def _probe_memory(mem: ServiceMemory, probe: ProbeResult | None,
                  config: Config) -> ServiceMemory:
    if probe is None or probe.level is Level.UNKNOWN:
        return mem
    if probe.level.is_problem:
        bad, good = mem.bad_streak + 1, 0
        level = probe.level if bad >= config.failure_threshold else mem.probe_level
    else:
        bad, good = 0, mem.good_streak + 1
        settled = not mem.probe_level.is_problem or good >= config.success_threshold
        level = probe.level if settled else mem.probe_level
    return replace(mem, bad_streak=bad, good_streak=good, probe_level=level)


def _summary(svc: ServiceConfig, level: Level, assessed: Assessed | None,
             probe: ProbeResult | None, mem: ServiceMemory, disagree: bool) -> str:
    feed = assessed.report if assessed else None
    if disagree and probe is not None:
        return (f"API errors from this network ({probe.detail}); "
                "the status page still says operational")
    if assessed is not None and assessed.unmatched_filter:
        return assessed.report.summary
    if feed is not None and feed.problem is None:
        text = feed.summary
        if mem.probe_level.is_problem and probe is not None and not feed.level.is_problem:
            text = f"{probe.detail}; status page: {text}"
        return text
    if probe is not None and probe.level is not Level.UNKNOWN:
        text = probe.detail
        if probe.level.is_problem and not mem.probe_level.is_problem:
            text += " (not yet confirmed)"
        elif not probe.level.is_problem and mem.probe_level.is_problem:
            text += " (recovering)"
        if feed is not None and feed.error:
            text += f"; {feed.error}"
        return text
    if feed is not None and feed.error:
        return feed.error
    if probe is not None:
        return probe.detail
    return "no data yet" if level is Level.UNKNOWN else level.label


def _status(svc: ServiceConfig, obs: Observation, mem: ServiceMemory,
            level: Level, assessed: Assessed | None, disagree: bool) -> ServiceStatus:
    feed = assessed.report if assessed else None
    return ServiceStatus(
        id=svc.id, name=svc.name, role=svc.role, level=level,
        summary=_summary(svc, level, assessed, obs.probe, mem, disagree),
        feed=feed, probe=obs.probe, fallbacks=svc.fallbacks, probe_disagrees=disagree,
        source_broken=bool(feed and feed.problem is SourceProblem.BROKEN),
        page_url=(feed.page_url if feed else None) or (svc.feed.url if svc.feed else None),
        web_url=svc.web_url)


def _events(svc: ServiceConfig, mem: ServiceMemory, new_mem: ServiceMemory,
            level: Level, status: ServiceStatus, now: datetime) -> list[Event]:
    events: list[Event] = []
    old = mem.known_level
    if level is not Level.UNKNOWN and level != old and (old is not Level.UNKNOWN
                                                         or level.is_problem):
        kind = EventKind.WORSE if level.rank > old.rank else EventKind.BETTER
        events.append(Event(kind, svc.id, old, level, status.summary, now))
    if not mem.feed_seen:
        return events          # the first readable feed is the baseline
    def changes(before: tuple[tuple[str, str], ...], after: tuple[tuple[str, str], ...],
                started: tuple[EventKind, str], ended: tuple[EventKind, str]) -> None:
        was, is_ = dict(before), dict(after)
        for kind, phrase, names in ((*started, [n for k, n in is_.items() if k not in was]),
                                    (*ended, [n for k, n in was.items() if k not in is_])):
            events.extend(Event(kind, svc.id, old, level, f"{phrase}: {name}", now,
                                incident=name) for name in names)

    changes(mem.incidents, new_mem.incidents, (EventKind.INCIDENT_NEW, "new incident"),
            (EventKind.INCIDENT_RESOLVED, "incident resolved"))
    changes(mem.maintenances, new_mem.maintenances,
            (EventKind.MAINTENANCE_STARTED, "maintenance started"),
            (EventKind.MAINTENANCE_ENDED, "maintenance ended"))
    return events


def step(config: Config, state: MonitorState, connectivity: Connectivity,
         observations: Mapping[str, Observation], now: datetime) -> StepResult:
    resumed = is_clock_jump(state.last_poll, now, config.interval)
    offline = connectivity is not Connectivity.ONLINE
    why = offline_reason(connectivity)
    statuses: list[ServiceStatus] = []
    memories: dict[str, ServiceMemory] = dict(state.services)
    events: list[Event] = []
    warnings: list[str] = []
    for svc in config.services:
        obs = observations.get(svc.id, Observation())
        mem = memories.get(svc.id, ServiceMemory())
        assessed = assess(obs.feed, svc.components) if obs.feed is not None else None
        if assessed is not None:
            warnings += [f"{svc.id}: {w}" for w in assessed.warnings]
        if offline:
            statuses.append(replace(
                _status(svc, obs, mem, Level.UNKNOWN, assessed, False),
                summary=why or "offline"))
            continue
        if resumed:
            mem = replace(mem, bad_streak=0, good_streak=0)
        new_mem = _probe_memory(mem, obs.probe, config)
        feed_level = assessed.level if assessed else Level.UNKNOWN
        if assessed is not None and assessed.unmatched_filter:
            level = Level.UNKNOWN
        else:
            level = worst([feed_level, new_mem.probe_level])
        disagree = (new_mem.probe_level.is_problem and feed_level is not Level.UNKNOWN
                    and not feed_level.is_problem)
        status = _status(svc, obs, new_mem, level, assessed, disagree)
        feed = assessed.report if assessed else None
        event_level = level
        if assessed is not None and feed is not None and feed.problem is None \
                and not assessed.unmatched_filter:
            new_mem = replace(
                new_mem, feed_seen=True, broken_streak=0, feed_level=feed_level,
                incidents=tuple((i.id, i.name) for i in feed.incidents),
                maintenances=tuple((m.id, m.name) for m in feed.maintenances if m.in_progress))
        else:
            if feed is not None and feed.problem is SourceProblem.BROKEN:
                new_mem = replace(new_mem, broken_streak=mem.broken_streak + 1)
            # An unreadable page takes nothing back: what it last said still stands
            # for events, so one failed fetch is no "recovered" + "down again" pair.
            event_level = worst([level, new_mem.feed_level])
        events += _events(svc, mem, new_mem, event_level, status, now)
        if event_level is not Level.UNKNOWN:
            new_mem = replace(new_mem, known_level=event_level)
        memories[svc.id] = new_mem
        statuses.append(status)
    snapshot = Snapshot(checked_at=now, offline=offline, reason=why,
                        services=tuple(statuses), warnings=tuple(dict.fromkeys(warnings)))
    return StepResult(MonitorState(last_poll=now, services=memories), snapshot,
                      tuple(events), resumed)
