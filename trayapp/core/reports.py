"""How the reports of real requests count (``trayapp report``, hooks, agents). Pure.

A report is one request a developer's own tool made (:mod:`trayapp.edges.reports`
keeps them). Rules (docs/your-tools.md):

* At least ``report_threshold`` vendor-side failures (overloaded, server_error,
  timeout, unreachable) of one service within ``report_window`` seconds, with no
  ``ok`` after them, make it at least ``degraded``: the early warning while the
  page is green, in words like "your tools: 3 failures in 4 min (overloaded,
  claude-opus-4-1)". An ``ok`` or the window passing clears it.
* ``rate_limited`` and ``auth`` are the user's side (a plan's limit, a key): they
  count only when the page or the probe also sees trouble.
* Reports never make a level better than the page and probe say; offline, or a local
  server not running, they change nothing (this machine's side).
* The models named in the counted failures are marked degraded in the per-model view.

:func:`apply` is one decision over a poll's :class:`StepResult`, so the icon,
tooltip, ``status``, ``watch`` and hooks agree; the level changes it makes are
events whose ``source`` is ``"reports"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from trayapp.config import Config, ServiceConfig
from trayapp.domain.levels import Level, worst
from trayapp.domain.model import Event, EventKind, ModelResult, ServiceStatus
from trayapp.domain.reported import USER_SIDE, VENDOR_SIDE

FUTURE_SLACK = 60.0          # a report this far ahead of `now` (another clock) still counts
SOURCE = "reports"


@dataclass(frozen=True, slots=True)
class Report:
    at: float                 # Unix time
    service: str              # as the reporter named it: an id, a preset, a name
    outcome: str              # one of trayapp.domain.reported.OUTCOMES
    model: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Reported:
    """What one service's recent reports say: enough failures to count."""

    failures: int
    span: float                     # seconds from the first counted failure to now
    outcomes: tuple[str, ...]       # distinct, first seen first
    models: tuple[str, ...]
    until: float                    # when the oldest counted failure leaves the window

    def words(self) -> str:
        minutes = max(1, round(self.span / 60))
        named = ", ".join((*self.outcomes, *self.models))
        return f"your tools: {self.failures} failures in {minutes} min ({named})"


def names(svc: ServiceConfig) -> frozenset[str]:
    """What a report may call the service: its id, its preset, its name."""
    return frozenset(n.lower() for n in (svc.id, svc.preset, svc.name) if n)


def judge(reports: Sequence[Report], svc: ServiceConfig, now: float, threshold: int,
          window: float, trouble: bool) -> Reported | None:
    """``trouble``: the page or the probe says the service has a problem (then the
    user-side outcomes count too)."""
    known = names(svc)
    recent = [r for r in reports if r.service.lower() in known
              and now - window <= r.at <= now + FUTURE_SLACK]
    recent.sort(key=lambda r: r.at)
    last_ok = max((i for i, r in enumerate(recent) if r.outcome == "ok"), default=-1)
    counted = VENDOR_SIDE | USER_SIDE if trouble else VENDOR_SIDE
    fails = [r for r in recent[last_ok + 1:] if r.outcome in counted]
    if not fails or len(fails) < threshold:
        return None
    return Reported(len(fails), max(0.0, now - fails[0].at),
                    tuple(dict.fromkeys(r.outcome for r in fails)),
                    tuple(dict.fromkeys(r.model for r in fails if r.model)),
                    fails[-threshold].at + window)


def _models(status: ServiceStatus, said: Reported) -> tuple[ModelResult, ...]:
    models = list(status.models)
    for name in said.models:
        line = f"your tools: {said.failures} failures ({', '.join(said.outcomes)})"
        at = next((i for i, m in enumerate(models) if m.model == name), None)
        if at is None:
            models.append(ModelResult(name, Level.DEGRADED, line))
        elif not models[at].level.is_problem:
            models[at] = replace(models[at], level=Level.DEGRADED, detail=line)
    return tuple(models)


@dataclass(frozen=True, slots=True)
class Applied:
    statuses: tuple[ServiceStatus, ...]
    events: tuple[Event, ...]
    shown: Mapping[str, Level]          # the level each service shows now
    active: frozenset[str]              # services the reports count against now
    until: float | None                 # the earliest time a count runs out, if any


def apply(config: Config, statuses: Sequence[ServiceStatus], events: Sequence[Event],
          reports: Sequence[Report], before: Mapping[str, Level], active: frozenset[str],
          offline: bool, now: datetime) -> Applied:
    """The statuses and events of one poll (or of the last poll, again, when a report
    comes in between polls: then ``events`` is empty) with the reports counted.
    ``before``: the level each service showed until now; ``active``: the services the
    reports counted against then (their level changes are decided here)."""
    stamp = now.timestamp()
    out: list[ServiceStatus] = []
    mine: list[Event] = []
    shown: dict[str, Level] = {}
    counting: set[str] = set()
    untils: list[float] = []
    by_id = {s.id: s for s in config.services}
    for given in statuses:
        status, svc = given, by_id.get(given.id)
        said = None
        if svc is not None and not (offline and not status.local) and not status.not_running:
            said = judge(reports, svc, stamp, config.report_threshold, config.report_window,
                         status.level.is_problem)
        if said is not None:
            counting.add(status.id)
            untils.append(said.until)
            status = replace(status, level=worst([status.level, Level.DEGRADED]),
                             summary=f"{said.words()}; {status.summary}",
                             models=_models(status, said))
        shown[status.id] = status.level
        out.append(status)
        if status.id not in counting and status.id not in active:
            continue
        old, new = before.get(status.id, Level.UNKNOWN), status.level
        if new is not Level.UNKNOWN and new != old and (old is not Level.UNKNOWN
                                                        or new.is_problem):
            kind = EventKind.WORSE if new.rank > old.rank else EventKind.BETTER
            mine.append(Event(kind, status.id, old, new, status.summary, now, source=SOURCE))
    decided = counting | active
    kept = [e for e in events
            if not (e.service in decided and e.kind in (EventKind.WORSE, EventKind.BETTER))]
    return Applied(tuple(out), tuple(kept + mine), shown, frozenset(counting),
                   min(untils, default=None))
