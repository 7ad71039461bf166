"""``trayapp history``: text (local times, newest first), JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from trayapp.core.history.lag import lag_words
from trayapp.core.history.report import ServiceReport, lead_phrase, service_json
from trayapp.core.history.rows import DAMAGED
from trayapp.core.history.uptime import Uptime, humanize
from trayapp.domain.text import one_line

LABEL = {"operational": "operational", "maintenance": "maintenance", "degraded": "degraded",
         "partial_outage": "partial outage", "major_outage": "major outage",
         "unknown": "unknown", "offline": "offline", DAMAGED: DAMAGED}
MAX_TEXT_CHANGES = 40


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def dumps_json(data: dict[str, Any]) -> str:
    import json
    return json.dumps(data, ensure_ascii=False, indent=None)


def _local(ts: float | None, with_date: bool = True) -> str:
    if ts is None:
        return "?"
    fmt = "%Y-%m-%d %H:%M" if with_date else "%H:%M"
    return datetime.fromtimestamp(ts, UTC).astimezone().strftime(fmt)


def uptime_cell(u: Uptime) -> str:
    """``99.95 % of 23 h``; ``-`` when nothing was observed."""
    if u.percent is None:
        return "-"
    pct = f"{u.percent:.2f}".rstrip("0").rstrip(".")
    return f"{pct} % of {humanize(u.observed)}"


def to_json(reports: list[ServiceReport], now: int) -> dict[str, Any]:
    return {"generated_at": datetime.fromtimestamp(now, UTC).isoformat(),
            "services": [service_json(r, now) for r in reports]}


def to_text(reports: list[ServiceReport], now: int, since: int) -> str:
    out = ["Uptime: the share of observed time that was up (offline, unknown and gaps "
           "not counted)"]
    rows: list[tuple[str, ...]] = [("SERVICE", "SOURCE", "24 H", "7 D", "30 D")]
    for r in reports:
        for n, (src, ws) in enumerate(r.uptime.items()):
            rows.append((one_line(r.name, 30) if n == 0 else "", src,
                         *(uptime_cell(u) for u in ws.values())))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]
    changes = sorted(((c, r) for r in reports for c in r.changes),
                     key=lambda cr: -cr[0].at)
    out.append("")
    out.append(f"Changes since {_local(since)}, newest first:" if changes else
               f"No changes since {_local(since)}.")
    for c, r in changes[:MAX_TEXT_CHANGES]:
        out.append(f"  {_local(c.at)}  {one_line(r.name, 30)}: {LABEL[c.old]} -> "
                   f"{LABEL[c.new]} ({c.source})  {one_line(c.reason, 120)}")
    if len(changes) > MAX_TEXT_CHANGES:
        out.append(f"  ... and {len(changes) - MAX_TEXT_CHANGES} earlier (--json or --csv "
                   "has them all)")
    incidents = sorted(((i, r) for r in reports for i in r.incidents),
                       key=lambda ir: -ir[0].start)
    if incidents:
        out.append("")
        out.append("Incidents, newest first:")
    for i, r in incidents:
        state = (f"resolved {_local(i.end)}, lasted {humanize(i.duration(now))}"
                 if i.end is not None else f"open for {humanize(i.duration(now))}")
        lead = lead_phrase(i)
        out.append(f"  {_local(i.start)}  {one_line(r.name, 30)}: {one_line(i.row.name, 100)}"
                   f" ({LABEL[i.row.impact]}; {state})" + (f"; {lead}" if lead else ""))
    lags = [(r, r.page_lag) for r in reports if r.page_lag is not None]
    if lags:
        out.append("")
        out.append("Status pages against this machine's probes (all the history kept):")
        out += [f"  {lag_words(one_line(r.name, 30), lag)}" for r, lag in lags]
    probes = [(r, r.probe) for r in reports if r.probe is not None]
    if probes:
        out.append("")
        out.append("API probe latency (min / median / max):")
        for r, p in probes:
            assert p is not None
            out.append(f"  {one_line(r.name, 30)}: {p.min_ms} / {p.median_ms} / {p.max_ms} ms, "
                       f"{p.bad} of {p.n} polls failing")
    return "\n".join(out)


def to_csv(reports: list[ServiceReport], now: int) -> str:
    """One row per change and per incident: time-ordered, for spreadsheets. Every text
    cell goes through :func:`csv_cell`; only numbers we format ourselves do not."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["type", "service", "at", "until", "old", "new", "source", "name", "impact",
                "reason", "probe_lead_seconds"])
    rows: list[tuple[float, list[str | int]]] = []
    for r in reports:
        for c in r.changes:
            rows.append((c.at, ["change", r.id, iso(c.at), "", c.old, c.new, c.source, "",
                                "", c.reason, ""]))
        for i in r.incidents:
            rows.append((i.start, ["incident", r.id, iso(i.start),
                                   iso(i.end) if i.end is not None else "", "", "", "page",
                                   i.row.name, i.row.impact, i.row.status,
                                   "" if i.lead is None else round(i.lead)]))
    for _, row in sorted(rows, key=lambda t: -t[0]):
        w.writerow([str(x) if isinstance(x, int) else csv_cell(x) for x in row])
    return buf.getvalue()


# What makes a spreadsheet read a cell as a formula (or hide its start): the ASCII
# signs, TAB and CR (OWASP's list), and their full-width forms.
_FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def csv_cell(value: object, limit: int = 300) -> str:
    """Untrusted text -> one CSV cell: cleaned like every other output (one line, no
    control or invisible character, leading spaces gone), then a leading formula sign
    escaped with ``'``, whatever follows it (``-1+1`` is a formula too)."""
    text = one_line(value, limit)
    return "'" + text if text[:1] in _FORMULA_START else text
