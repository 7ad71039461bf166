"""The store's rows -> what ``trayapp history`` and the details window show. Pure.

Per service: uptime and observed share for 24 h, 7 d and 30 d (combined, page,
probe), the changes newest first, the incidents with their duration and the
probe's lead time (how long before the page the probe saw trouble), and how the
page did against this machine's probes (:mod:`.lag`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trayapp.core.history.lag import PageLag, page_lag
from trayapp.core.history.rows import ChangeRow, Contents, IncidentRow, ProbeStats
from trayapp.core.history.uptime import Span, Uptime, lead_time, observed_between, windows

SOURCES = ("combined", "page", "probe")


@dataclass(frozen=True, slots=True)
class IncidentReport:
    row: IncidentRow
    start: int                      # the page's own opening time, else first seen
    end: int | None                 # resolved (as trayapp saw it), None while open
    lead: float | None              # seconds the probe saw trouble before the page
    probe_watched: bool             # the probe was observed during the incident

    def duration(self, now: int) -> int:
        return (self.end if self.end is not None else now) - self.start


@dataclass(frozen=True, slots=True)
class ServiceReport:
    id: str
    name: str
    uptime: dict[str, dict[str, Uptime]]       # source -> window -> Uptime
    spans: dict[str, list[Span]]               # source -> spans
    changes: list[ChangeRow]
    incidents: list[IncidentReport]
    probe: ProbeStats | None
    page_lag: PageLag | None = None            # None: no page or no probe to judge it by


def _incident(row: IncidentRow, probe: list[Span], now: int) -> IncidentReport:
    start = row.opened_at if row.opened_at is not None else row.first_seen_at
    start = min(start, row.first_seen_at)
    end = row.resolved_at
    until = end if end is not None else now
    return IncidentReport(row, start, end, lead_time(probe, float(start), float(until)),
                          observed_between(probe, float(start), float(until)))


def build(contents: Contents, now: int) -> list[ServiceReport]:
    out = []
    for sid, name in contents.services.items():
        spans = {src: contents.spans.get((sid, src), []) for src in SOURCES}
        ups = {src: windows(sp, float(now)) for src, sp in spans.items() if sp}
        if "combined" not in ups:
            ups["combined"] = windows([], float(now))
        incidents = [_incident(r, spans["probe"], now) for r in contents.incidents
                     if r.service == sid]
        out.append(ServiceReport(sid, name, ups, spans,
                                 [c for c in contents.changes if c.service == sid],
                                 incidents, contents.probe.get(sid),
                                 page_lag(spans["page"], spans["probe"], float(now))))
    return out


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def service_json(r: ServiceReport, now: int) -> dict[str, Any]:
    comb = r.uptime["combined"]
    data: dict[str, Any] = {
        "id": r.id, "name": r.name,
        "uptime": {w: _pct(u.percent) for w, u in comb.items()},
        "observed": {w: round(u.observed_percent, 3) for w, u in comb.items()},
        "sources": {src: {"uptime": {w: _pct(u.percent) for w, u in ws.items()},
                          "observed": {w: round(u.observed_percent, 3) for w, u in ws.items()}}
                    for src, ws in r.uptime.items() if src != "combined"},
        "changes": [{"at": _iso(c.at), "old": c.old, "new": c.new, "source": c.source,
                     "reason": c.reason} for c in r.changes],
        "incidents": [{"id": i.row.id, "name": i.row.name, "impact": i.row.impact,
                       "status": i.row.status, "opened_at": _iso(i.row.opened_at),
                       "resolved_at": _iso(i.end), "first_seen_at": _iso(i.row.first_seen_at),
                       "duration_seconds": i.duration(now), "probe_lead_seconds":
                           None if i.lead is None else round(i.lead)}
                      for i in r.incidents],
    }
    if r.probe is not None:
        data["probe"] = {"polls": r.probe.n, "failures": r.probe.bad,
                         "latency_ms": {"min": r.probe.min_ms, "median": r.probe.median_ms,
                                        "max": r.probe.max_ms}}
    data["page_lag"] = None if r.page_lag is None else r.page_lag.as_json()
    return data


def lead_phrase(i: IncidentReport) -> str:
    from trayapp.core.history.uptime import humanize
    if i.lead is None:
        return "the probe saw no trouble" if i.probe_watched else ""
    if abs(i.lead) < 60:
        return "the probe saw it with the page"
    side = "before" if i.lead > 0 else "after"
    return f"the probe saw it {humanize(i.lead)} {side} the page"
