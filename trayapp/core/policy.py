"""When to notify, and what to say. Pure: no clock, no I/O.

:func:`decide` takes the core's events, the snapshot, the policy's memory
(:class:`PolicyState`: what the user was last *told* about each watched
service), the settings and ``now``, and returns the notifications to send and
the new memory. The rules:

* Level-triggered against what the user was told, so nothing is repeated for
  the same state, and a notification held back (paused, quiet hours,
  ``min_gap``) is sent later only if the state still differs then.
* One notification per service per cycle (several events coalesce).
* A problem (worse, a new incident, an incident resolved while still down,
  maintenance started) needs the level to reach ``min_level`` and at most one
  per ``min_gap`` per service; a recovery (back below ``min_level`` after a
  problem the user was told about) is never held back by ``min_gap``.
* Everything comes from the core's one decision (the snapshot's levels); no
  recovery while a status page is unreadable (stale), and nothing about its
  incidents (none new, none resolved).
* Nothing while offline; a service whose level is unknown is left alone; a
  service not yet in memory is learned silently unless the core reported a
  change for it; after a lost memory (``baseline``) everything is learned
  silently once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, tzinfo

from trayapp.config import Config
from trayapp.core.eta import typically_words
from trayapp.core.pick import offer_label
from trayapp.core.render import offered
from trayapp.core.textclean import line
from trayapp.domain.levels import Level
from trayapp.domain.model import Event, EventKind, ServiceStatus, Snapshot

NO_FALLBACK = "No fallback is up right now"


def fallback_name(service: ServiceStatus, local_ids: frozenset[str], offered: bool = False,
                  ) -> str:
    """A fallback's name, "(local)" when it runs on this machine; ``offered``: named where
    it is offered, so a degraded one says so (:func:`trayapp.core.pick.offer_label`)."""
    return offer_label(line(service.name, 40), str(service.level) if offered else "",
                       service.id in local_ids or service.local)


@dataclass(frozen=True, slots=True)
class Settings:
    min_gap: timedelta = timedelta(minutes=10)
    min_level: Level = Level.DEGRADED
    quiet_hours: tuple[time, time] | None = None
    notify_maintenance: bool = False
    local_ids: frozenset[str] = frozenset()
    tz: tzinfo | None = None          # quiet hours are in this zone; None: the machine's

    @classmethod
    def from_config(cls, config: Config, tz: tzinfo | None = None) -> Settings:
        return cls(min_gap=timedelta(seconds=config.min_gap), min_level=config.min_level,
                   quiet_hours=config.quiet_hours,
                   notify_maintenance=config.notify_maintenance,
                   local_ids=frozenset(s.id for s in config.services if s.local), tz=tz)


@dataclass(frozen=True, slots=True)
class Told:
    """What the user was last told about one service."""

    level: Level = Level.OPERATIONAL
    incidents: frozenset[str] = frozenset()
    maintenances: frozenset[str] = frozenset()
    last_sent: datetime | None = None


@dataclass(frozen=True, slots=True)
class PolicyState:
    told: Mapping[str, Told] = field(default_factory=dict)
    paused_until: datetime | None = None
    baseline: bool = False            # memory was lost: learn the current state silently


@dataclass(frozen=True, slots=True)
class Notification:
    service: str
    kind: str                         # problem | recovered | resolved | maintenance
    level: Level
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class Decision:
    notifications: tuple[Notification, ...]
    state: PolicyState
    held: tuple[tuple[str, str], ...] = ()     # (service, why) held back, for the log


def in_quiet_hours(now: datetime, quiet: tuple[time, time] | None,
                   tz: tzinfo | None = None) -> bool:
    if quiet is None:
        return False
    start, end = quiet
    t = now.astimezone(tz).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end           # across midnight


def is_paused(state: PolicyState, now: datetime) -> bool:
    return state.paused_until is not None and now < state.paused_until


def pause_until(now: datetime, how: str, settings: Settings) -> datetime | None:
    """``"hour"`` -> an hour from now; ``"tomorrow"`` -> tomorrow morning; else None."""
    if how == "hour":
        return now + timedelta(hours=1)
    if how == "tomorrow":
        local = now.astimezone(settings.tz)
        morning = settings.quiet_hours[1] if settings.quiet_hours else time(7, 0)
        day = local.date() + timedelta(days=1)
        return datetime.combine(day, morning, tzinfo=local.tzinfo)
    return None


def _incidents(s: ServiceStatus, before: frozenset[str]) -> frozenset[str]:
    if s.feed is None or not s.page_readable:
        return before                        # unreadable: nothing resolved, nothing new
    return frozenset(line(i.name, 120) for i in s.feed.incidents)


def _maintenances(s: ServiceStatus, before: frozenset[str]) -> frozenset[str]:
    if s.feed is None or not s.page_readable:
        return before
    return frozenset(line(m.name, 120) for m in s.feed.maintenances if m.in_progress)


def current(s: ServiceStatus) -> Told:
    return Told(level=s.level, incidents=_incidents(s, frozenset()),
                maintenances=_maintenances(s, frozenset()))


def fallback_line(snapshot: Snapshot, service_id: str, settings: Settings) -> str:
    """"Try: X, Y", "No fallback is up right now", or "" when the service has none."""
    me = snapshot.service(service_id)
    if me is None or not me.fallbacks:
        return ""                      # nothing configured: nothing to say about it
    up = offered(snapshot, service_id)
    if not up:
        return NO_FALLBACK
    return "Try: " + ", ".join(fallback_name(f, settings.local_ids, offered=True) for f in up)


def _expected(s: ServiceStatus, fallbacks: str) -> str:
    """The fallback line, after how long incidents like this one usually last (the
    snapshot's one figure, :mod:`trayapp.core.eta`): "Typically lasts about 45 min.
    Try: ChatGPT"."""
    if s.eta is None:
        return fallbacks
    said = typically_words(s.eta)
    said = said[:1].upper() + said[1:]
    return f"{said}. {fallbacks}" if fallbacks else said


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _message(s: ServiceStatus, prev: Told, now_incidents: frozenset[str],
             now_maint: frozenset[str], snapshot: Snapshot,
             settings: Settings) -> tuple[str, str] | None:
    """(kind, body) for what changed since ``prev``, or None."""
    serious_now = s.level.rank >= settings.min_level.rank
    serious_before = prev.level.rank >= settings.min_level.rank
    name = line(s.name, 40)
    resolved = sorted(prev.incidents - now_incidents)
    if serious_before and not serious_now:
        text = f"{name} is back to {s.level.label}"
        if resolved:
            text += f". Resolved: {'; '.join(resolved)}"
        return "recovered", text
    new = sorted(now_incidents - prev.incidents) if serious_now else []
    if serious_now and (s.level.rank > prev.level.rank or new):
        headline = "; ".join(new) if new else (
            sorted(now_incidents)[0] if now_incidents else line(s.summary, 160))
        return "problem", _lines(headline, _expected(s, fallback_line(snapshot, s.id,
                                                                     settings)))
    if resolved:
        text = f"Resolved: {'; '.join(resolved)}"
        if serious_now:
            text = _lines(text, fallback_line(snapshot, s.id, settings))
        return "resolved", text
    started = sorted(now_maint - prev.maintenances) if settings.notify_maintenance else []
    if started:
        return "maintenance", f"Maintenance started: {'; '.join(started)}"
    return None


def decide(events: tuple[Event, ...], snapshot: Snapshot, state: PolicyState,
           settings: Settings, now: datetime) -> Decision:
    if snapshot.offline:
        return Decision((), state)
    told = dict(state.told)
    if state.baseline:
        for s in snapshot.watched:
            if s.level is not Level.UNKNOWN:
                told[s.id] = current(s)
        return Decision((), replace(state, told=told, baseline=False), (("*", "baseline"),))
    changed = {e.service for e in events if e.kind is not EventKind.MAINTENANCE_ENDED}
    out: list[Notification] = []
    held: list[tuple[str, str]] = []
    for s in snapshot.watched:
        if s.level is Level.UNKNOWN:
            continue
        prev = told.get(s.id)
        if prev is None:
            if s.id not in changed:
                told[s.id] = current(s)       # first sight, no change reported: learn it
                continue
            prev = Told()
        incidents = _incidents(s, prev.incidents)
        maint = _maintenances(s, prev.maintenances)
        found = _message(s, prev, incidents, maint, snapshot, settings)
        if found is None:
            if prev.incidents - incidents or maint != prev.maintenances:
                told[s.id] = replace(prev, incidents=prev.incidents & incidents,
                                     maintenances=maint)
            continue
        kind, body = found
        if kind == "recovered" and s.stale_since is not None:
            continue          # never a recovery the page did not say (the core holds it too)
        why = None
        if is_paused(state, now):
            why = "paused"
        elif in_quiet_hours(now, settings.quiet_hours, settings.tz):
            why = "quiet hours"
        elif kind != "recovered" and prev.last_sent is not None \
                and now - prev.last_sent < settings.min_gap:
            why = "min_gap"
        if why is not None:
            held.append((s.id, why))
            continue
        title = f"{line(s.name, 40)}: {s.level.label}"
        out.append(Notification(s.id, kind, s.level, title, body))
        # the gap counts from the last problem: a recovery does not restart it
        sent = prev.last_sent if kind == "recovered" else now
        told[s.id] = Told(level=s.level, incidents=incidents, maintenances=maint, last_sent=sent)
    return Decision(tuple(out), replace(state, told=told), tuple(held))


Hold = tuple[str, str, str]          # (service, why, the level held back)


def fresh_holds(decision: Decision, snapshot: Snapshot, before: frozenset[Hold],
                ) -> tuple[tuple[Hold, ...], frozenset[Hold]]:
    """The holds to log (new since the last cycle: a hold goes on at every poll while
    paused, the log says it once per change) and the holds to remember."""
    now = frozenset((sid, why, str(s.level) if (s := snapshot.service(sid)) else "")
                    for sid, why in decision.held)
    return tuple(sorted(now - before)), now


def trial_note(snapshot: Snapshot | None, settings: Settings) -> tuple[str, str]:
    """"Send a test notification": a title that says it is a test, and the line a real
    notification would carry about the first watched service's fallbacks."""
    title = "trayapp: test notification"
    said = "Notifications work."
    for s in snapshot.watched if snapshot is not None else ():
        fallbacks = fallback_line(snapshot, s.id, settings) if snapshot is not None else ""
        if fallbacks:
            return title, f"{said} One about {line(s.name, 40)} would end:\n{fallbacks}"
    return title, f"{said} (No fallback to name: none is configured or checked yet.)"
