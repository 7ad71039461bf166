"""The decision engine: observations -> levels, a snapshot and change events. Pure.

``step`` takes the previous :class:`MonitorState`, what one poll observed and
``now`` (passed in: the clock is never read here), and returns the new state,
the :class:`Snapshot` to show and the :class:`Event` list to announce. The
snapshot's level and the events come from one decision per service, so the
icon, tooltip, JSON, ``watch`` and notifications cannot disagree.

Rules (docs/how-it-decides.md):
* Offline (connectivity check failed, or a captive portal): every remote
  service is ``unknown`` with the reason (its probe too); nothing is an outage;
  memory is left as it was. A service whose every URL is on this machine
  (loopback) is still assessed: offline does not touch it.
* Service level = worst of the page level (after the component filter) and
  the probe level. A filter that matches nothing makes the service ``unknown``.
* Stale, never green: a page that cannot be read (broken, blocked,
  unreachable, an error, a filter entry that matched before and no longer
  does) keeps the level it last said, marked stale since that read, for up to
  ``stale_after`` seconds, then ``unknown``. While stale the level never goes
  down (a probe can make it worse, never better), so no recovery is announced.
  With no good read yet an unreadable page is ``unknown`` whatever a good probe
  says (a keyless 401 is what a dead backend looks like too); a confirmed
  failing probe still shows its level (the early warning). Only a service
  with no feed at all takes its good level from the probe alone.
* The probe is damped: a bad probe counts after ``failure_threshold``
  consecutive bad results, and clears after ``success_threshold`` good ones
  (a first good result counts at once: there is nothing to clear). An
  ``unknown`` probe (blocked) neither starts nor clears anything. Feed changes
  count at once.
* Events compare against the last *known* level: ``unknown`` is never announced.
* Latency and models (:mod:`trayapp.core.modelwatch`): a good probe answer slower than
  ``slow_factor`` times its rolling median (and over a floor) counts as degraded,
  damped like any bad answer. Per-model probes are damped per model; one model
  failing while another answers is ``degraded`` naming it, and a failing model on
  a page that says operational is the early warning, named in the summary.
* "Your side" (a refused key, a quota, DNS, TLS interception, a wrong clock, a
  proxy, a local server not running) is never a vendor outage: its reason code is
  on the status and its one line, which says what to check, is in the summary.
* The cycle (:mod:`trayapp.core.verdict`): each probe and model answer is judged
  again here with what the whole cycle saw: a 429 nothing else explains counts as
  the vendor shedding load (degraded) when another service also answered one, or
  when the service's page has an incident; the probe's ``downgrade`` setting; and
  the clock and zone for the words (a limit's reset time).
* Not running: a service whose every URL is on this machine, refused (its probe
  says ``not_running``: :mod:`trayapp.core.verdict`) while its page, if
  any, is unreadable, is a local server that is not running. Its own state:
  ``unknown`` (grey) with ``your_side = "not_running"`` and the words "not running";
  never an outage, an event (so no notification, hook or webhook), a fallback or
  down time. Its probe memory starts afresh; the last known level is kept.
* Retry-After: a probe answer ``held`` (not asked this poll: the vendor asked to
  wait) shows what it last said and neither starts nor clears anything; the
  latest such time of a service's URLs is on its status (``retry_at``).
* Reports of the user's own tools' requests are counted after this step, over its
  statuses and events (:mod:`trayapp.core.reports`): at least degraded, never better.
* A wall-clock jump much larger than the interval (sleep/resume, clock set
  back) resets the probe streaks, so no stale half-counted failures complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from urllib.parse import urlsplit

from trayapp.config import Config, ServiceConfig, is_loopback_host
from trayapp.core.assess import NOTHING_MATCHES, Assessed, assess
from trayapp.core.connectivity import reason as offline_reason
from trayapp.core.eta import expected
from trayapp.core.latency import median, remember
from trayapp.core.modelwatch import ModelMemory, shown, slow_probe, update, verdict
from trayapp.core.timefmt import since
from trayapp.core.verdict import model_result, probe_result, unexplained_429, with_cycle
from trayapp.domain.levels import Level, worst
from trayapp.domain.model import (
    NOT_RUNNING,
    Connectivity,
    Event,
    EventKind,
    FeedReport,
    ModelResult,
    Observation,
    ProbeResult,
    ServiceStatus,
    Snapshot,
    SourceProblem,
)

CLOCK_BACK_TOLERANCE = timedelta(minutes=5)
_ETA_EVENTS = frozenset({EventKind.INCIDENT_NEW, EventKind.WORSE})


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
    feed_read_at: datetime | None = None        # when: the last good read of the page
    matched: tuple[str, ...] = ()               # filter entries that matched then
    latencies: tuple[int, ...] = ()             # the probe's recent latencies (ms)
    models: tuple[ModelMemory, ...] = ()        # per-model probes, in config order


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


def _on_this_machine(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname)


def on_this_machine(svc: ServiceConfig) -> bool:
    """Every URL of the service (feed, its alternate, probe, model probes) is on this
    machine (127.0.0.0/8, ::1, localhost): a refusal there means nothing listens."""
    urls = [u for u in (svc.feed.url if svc.feed else None,
                        svc.feed.alternate if svc.feed else None,
                        svc.probe.url if svc.probe else None,
                        svc.probe.models_url if svc.probe else None) if u]
    return bool(urls) and all(_on_this_machine(u) for u in urls)


def is_local(svc: ServiceConfig, config: Config) -> bool:
    """:func:`on_this_machine`, so the laptop being offline says nothing about it. Not
    when the connectivity check is on this machine too (test set-ups): then nothing
    tells the two apart."""
    check = config.connectivity_url
    return on_this_machine(svc) and not (check and _on_this_machine(check))


def not_running(obs: Observation, assessed: Assessed | None) -> bool:
    """The service's server refused on this machine (its probe, else every model probed)
    and its status page, if any, was not read: it is not running."""
    if assessed is not None and assessed.report.problem is None:
        return False
    if obs.probe is not None:
        return obs.probe.your_side == NOT_RUNNING
    return bool(obs.models) and all(m.your_side == NOT_RUNNING for m in obs.models or ())


def _not_running_words(svc: ServiceConfig) -> str:
    url = svc.probe.url if svc.probe else svc.feed.url if svc.feed else ""
    where = urlsplit(url).netloc
    return f"nothing answers at {where}: start it, or remove it from the config" if where \
        else "nothing answers: start it, or remove it from the config"


def _probe_memory(mem: ServiceMemory, probe: ProbeResult | None,
                  config: Config) -> ServiceMemory:
    if probe is None or probe.level is Level.UNKNOWN or probe.held:
        return mem
    if probe.level.is_problem:
        bad, good = mem.bad_streak + 1, 0
        level = probe.level if bad >= config.failure_threshold else mem.probe_level
    else:
        bad, good = 0, mem.good_streak + 1
        settled = not mem.probe_level.is_problem or good >= config.success_threshold
        level = probe.level if settled else mem.probe_level
    return replace(mem, bad_streak=bad, good_streak=good, probe_level=level)


@dataclass(frozen=True, slots=True)
class _Page:
    """What the status page contributes this poll."""

    readable: bool                     # read, and every entry that matched still matches
    level: Level                       # its level (the last good read's while stale)
    stale_since: datetime | None = None
    expired: bool = False              # unreadable for longer than stale_after
    why: str | None = None             # one line: why it counts as unreadable
    lost: tuple[str, ...] = ()         # filter entries that stopped matching
    last_known: Level | None = None    # while stale: what the last good read said


def _page(svc: ServiceConfig, assessed: Assessed | None, mem: ServiceMemory,
          config: Config, now: datetime) -> _Page | None:
    """None for a service without a feed."""
    if svc.feed is None:
        return None
    lost: tuple[str, ...] = ()
    why: str | None = None
    if assessed is None:
        why = "status page not read"
    elif assessed.report.problem is not None:
        why = assessed.report.error or f"status page {assessed.report.problem}"
    else:
        gone = set(assessed.unmatched)
        lost = tuple(e for e in svc.components if e in mem.matched and e in gone)
        if lost:
            why = "component filter " + ", ".join(f"entry {e!r}" for e in lost) \
                + " no longer matches anything on the page"
        elif assessed.unmatched_filter:
            # a filter that never matched (or was just edited) has nothing to keep
            return _Page(False, Level.UNKNOWN, why=assessed.report.error or NOTHING_MATCHES)
        else:
            return _Page(True, assessed.level)
    if mem.feed_read_at is None:
        return _Page(False, Level.UNKNOWN, why=why, lost=lost)
    expired = now - mem.feed_read_at > timedelta(seconds=config.stale_after)
    return _Page(False, Level.UNKNOWN if expired else mem.feed_level,
                 stale_since=mem.feed_read_at, expired=expired, why=why, lost=lost,
                 last_known=mem.feed_level)


def stale_line(since: str, last_known: Level | None, expired: bool) -> str:
    """``"status page unreadable since 09:00; last known: major outage"``: the one
    wording of a stale page, on every surface. ``since``: the words for the time of
    the last good read; ``last_known``: the level that read said (the remembered
    one, never the failed read's)."""
    text = f"status page unreadable {since}"
    if last_known is not None and last_known is not Level.UNKNOWN:
        text += f"; last known: {last_known.label}"
        if expired:
            text += " (too long ago to count)"
    return text


def _summary(level: Level, assessed: Assessed | None, page: _Page | None,
             probe: ProbeResult | None, mem: ServiceMemory, disagree: bool,
             now: datetime, tz: tzinfo | None) -> str:
    feed = assessed.report if assessed else None
    probe_bad = probe is not None and probe.level.is_problem
    if page is not None and not page.readable:
        if page.stale_since is not None:
            text = stale_line(since(page.stale_since, now, tz, ""), page.last_known,
                              page.expired)
            text += f" ({page.why})" if page.why else ""
        else:
            text = page.why or "status page unreadable"
        if probe is not None and (probe_bad or page.stale_since is None):
            said = probe.detail
            text += f"; {said}" if said.startswith("API") else f"; API probe: {said}"
        return text
    if disagree and probe is not None:
        return (f"API errors from this network ({probe.detail}); "
                "the status page still says operational")
    if feed is not None and page is not None:
        text = feed.summary
        if mem.probe_level.is_problem and probe is not None and not feed.level.is_problem:
            text = f"{probe.detail}; status page: {text}"
        return text
    if probe is not None and probe.level is not Level.UNKNOWN:
        text = probe.detail
        if probe_bad and not mem.probe_level.is_problem:
            text += " (not yet confirmed)"
        elif not probe_bad and mem.probe_level.is_problem:
            text += " (recovering)"
        return text
    if probe is not None:
        return probe.detail
    return "no data yet" if level is Level.UNKNOWN else level.label


def retry_at(obs: Observation, now: datetime) -> datetime | None:
    """The latest Retry-After still running among the service's URLs, else None."""
    times = [t for t in (obs.feed.retry_at if obs.feed else None,
                         obs.probe.retry_at if obs.probe else None,
                         *(m.retry_at for m in obs.models or ())) if t and t > now]
    return max(times, default=None)


def _status(svc: ServiceConfig, obs: Observation, level: Level, summary: str,
            feed: FeedReport | None, disagree: bool, page: _Page | None,
            local: bool, models: tuple[ModelMemory, ...] = (),
            your_side: str | None = None, now: datetime | None = None) -> ServiceStatus:
    return ServiceStatus(
        models=shown(models), budget=obs.budget, your_side=your_side,
        retry_at=retry_at(obs, now) if now is not None else None,
        id=svc.id, name=svc.name, role=svc.role, level=level, summary=summary,
        feed=feed, probe=obs.probe, fallbacks=svc.fallbacks, probe_disagrees=disagree,
        source_broken=bool(feed and feed.problem is SourceProblem.BROKEN),
        page_url=(feed.page_url if feed else None) or (svc.feed.url if svc.feed else None),
        web_url=svc.web_url, stale_since=page.stale_since if page else None,
        last_known=page.last_known if page and page.stale_since else None,
        stale_expired=bool(page and page.stale_since and page.expired), local=local)


def _api_words(summary: str, models: tuple[ModelMemory, ...], probe: ProbeResult | None,
               early: bool, now: datetime) -> tuple[str, str | None]:
    """The summary with what the models and "your side" add, and the your-side code."""
    level, said = verdict(models, now, early)
    if said:
        summary = said if early and level.is_problem else f"{said}; {summary}"
    side: tuple[str, str] | None = None
    if probe is not None and probe.your_side:
        side = probe.your_side, probe.detail
    else:
        side = next(((m.your_side, f"{m.model}: {m.detail}") for m in models
                     if m.your_side), None)
    if side is not None and side[1] not in summary:
        summary = f"{summary}; {side[1]}"
    return summary, side[0] if side else None


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


def _saw_429(obs: Observation) -> bool:
    """The probe or a model of this service answered a 429 nothing else explains."""
    return any(unexplained_429(r.facts) for r in (obs.probe, *(obs.models or ()))
               if r is not None)


def _has_incident(assessed: Assessed | None, page: _Page | None) -> bool:
    """The service's page says something is wrong now (its remembered level while stale)."""
    if page is not None and page.level.is_problem:
        return True
    return assessed is not None and assessed.report.problem is None and any(
        i.impact.is_problem for i in assessed.report.incidents)


def _in_cycle(obs: Observation, svc: ServiceConfig, others_429: bool, incident: bool,
              now: datetime, tz: tzinfo | None) -> Observation:
    """The service's answers judged again with what the whole cycle saw."""
    mode = svc.probe.downgrade if svc.probe is not None else None

    def model(m: ModelResult) -> ModelResult:
        if m.facts is None:
            return m
        judged = model_result(with_cycle(m.facts, others_429, incident, mode), now, tz)
        return replace(judged, retry_at=m.retry_at, held=m.held)   # when, not what

    probe = obs.probe
    if probe is not None and probe.facts is not None:
        judged = probe_result(with_cycle(probe.facts, others_429, incident), now, tz)
        probe = replace(judged, retry_at=probe.retry_at, held=probe.held)
    models = tuple(model(m) for m in obs.models) if obs.models is not None else None
    return replace(obs, probe=probe, models=models)


def _offline_status(svc: ServiceConfig, obs: Observation, feed: FeedReport | None,
                    why: str) -> ServiceStatus:
    """A remote service while the laptop is offline: nothing about it can be told."""
    probe = replace(obs.probe, level=Level.UNKNOWN) if obs.probe else None
    feed = replace(feed, level=Level.UNKNOWN) if feed else None
    return _status(svc, replace(obs, probe=probe), Level.UNKNOWN, f"offline: {why}", feed,
                   False, None, False)


def step(config: Config, state: MonitorState, connectivity: Connectivity,
         observations: Mapping[str, Observation], now: datetime,
         tz: tzinfo | None = None) -> StepResult:
    """``tz``: the zone of the times in human text (None: the machine's)."""
    resumed = is_clock_jump(state.last_poll, now, config.interval)
    offline = connectivity is not Connectivity.ONLINE
    why = offline_reason(connectivity)
    statuses: list[ServiceStatus] = []
    memories: dict[str, ServiceMemory] = dict(state.services)
    events: list[Event] = []
    warnings: list[str] = []
    hit_429 = {s.id for s in config.services
               if s.id in observations and _saw_429(observations[s.id])}
    for svc in config.services:
        obs = observations.get(svc.id, Observation())
        mem = memories.get(svc.id, ServiceMemory())
        assessed = assess(obs.feed, svc.components) if obs.feed is not None else None
        feed = assessed.report if assessed else None
        local = is_local(svc, config)
        if offline and not local:
            if assessed is not None:
                warnings += [f"{svc.id}: {w}" for w in assessed.warnings]
            statuses.append(_offline_status(svc, obs, feed, why or "no network"))
            continue
        page = _page(svc, assessed, mem, config, now)
        obs = _in_cycle(obs, svc, bool(hit_429 - {svc.id}), _has_incident(assessed, page),
                        now, tz)
        if resumed:
            mem = replace(mem, bad_streak=0, good_streak=0, models=tuple(
                replace(m, bad_streak=0, good_streak=0) for m in mem.models))
        if not_running(obs, assessed):
            # A local server that is not running: its own state, judged afresh when it
            # answers again; the last known level stays, so stopping it is no event.
            if assessed is not None:
                warnings += [f"{svc.id}: {w}" for w in assessed.warnings]
            memories[svc.id] = replace(mem, probe_level=Level.UNKNOWN, bad_streak=0,
                                       good_streak=0, models=tuple(
                                           ModelMemory(m.model, latencies=m.latencies)
                                           for m in mem.models))
            statuses.append(_status(svc, obs, Level.UNKNOWN, _not_running_words(svc), feed,
                                    False, None, local, (), NOT_RUNNING, now))
            continue
        probe = obs.probe
        if probe is not None and svc.probe is not None:
            probe = slow_probe(probe, mem.latencies, svc.probe.slow_factor)
        new_mem = _probe_memory(mem, probe, config)
        if probe is not None and probe.status_code is not None and probe.status_code < 500 \
                and not probe.held:
            new_mem = replace(new_mem, latencies=remember(mem.latencies, probe.latency_ms))
        if probe is not None:
            probe = replace(probe, median_ms=median(new_mem.latencies))
        obs = replace(obs, probe=probe)
        models = update(mem.models, obs.models, svc.probe.models, config.failure_threshold,
                        config.success_threshold, svc.probe.slow_factor, now) \
            if svc.probe is not None and svc.probe.models else ()
        new_mem = replace(new_mem, models=models)
        api_level = worst([new_mem.probe_level, verdict(models, now, False)[0]])
        if assessed is not None:
            warnings += [f"{svc.id}: {w}" for w in assessed.warnings]
        if page is not None and page.lost:
            warnings += [f"{svc.id}: component filter entry {e!r} stopped matching the page "
                         "(its components were renamed or their ids changed?)"
                         for e in page.lost]
        if page is None:                              # no feed: the probe alone
            level = api_level
        elif page.readable:
            level = worst([page.level, api_level])
        elif page.stale_since is not None and not page.expired:
            # Stale: what the page last said, made worse by the probe, never better.
            level = worst([page.level, api_level, mem.known_level])
        elif api_level.is_problem:
            # Nothing the page said counts (never read, or too long ago), but the API
            # fails from this network, confirmed: the early warning stands on its own.
            level = api_level
        else:
            level = Level.UNKNOWN
        page_fine = page is not None and page.level is not Level.UNKNOWN \
            and not page.level.is_problem
        disagree = page_fine and api_level.is_problem
        summary = _summary(level, assessed, page, obs.probe, new_mem, disagree
                           and new_mem.probe_level.is_problem, now, tz)
        summary, side = _api_words(summary, models, obs.probe, page_fine
                                   and not new_mem.probe_level.is_problem, now)
        status = _status(svc, obs, level, summary, feed, disagree, page, local, models, side,
                         now)
        if page is not None and page.readable and feed is not None and level.is_problem:
            status = replace(status, eta=expected(obs.past, feed.incidents, now,
                                                  svc.components, feed.components))
        if page is not None and page.readable and feed is not None and assessed is not None:
            new_mem = replace(
                new_mem, feed_seen=True, broken_streak=0, feed_level=page.level,
                feed_read_at=now,
                matched=tuple(e for e in svc.components if e not in assessed.unmatched),
                incidents=tuple((i.id, i.name) for i in feed.incidents),
                maintenances=tuple((m.id, m.name) for m in feed.maintenances if m.in_progress))
        elif feed is not None and feed.problem is SourceProblem.BROKEN:
            new_mem = replace(new_mem, broken_streak=mem.broken_streak + 1)
        events += [replace(e, eta=status.eta) if status.eta is not None
                   and e.kind in _ETA_EVENTS else e
                   for e in _events(svc, mem, new_mem, level, status, now)]
        if level is not Level.UNKNOWN:
            new_mem = replace(new_mem, known_level=level)
        memories[svc.id] = new_mem
        statuses.append(status)
    snapshot = Snapshot(checked_at=now, offline=offline, reason=why,
                        services=tuple(statuses), warnings=tuple(dict.fromkeys(warnings)))
    return StepResult(MonitorState(last_poll=now, services=memories), snapshot,
                      tuple(events), resumed)
