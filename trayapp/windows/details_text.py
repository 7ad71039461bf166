"""What the details window shows, as plain data. Pure.

:func:`dashboard` turns the snapshot (as :func:`trayapp.core.render.snapshot_json`
makes it: the tray's ``snapshot.json``) into a :class:`Dashboard`: one
:class:`ServiceView` per watched service (level, "Major outage since 14:03
(38 min)", one plain reason, the probe in words, "Use instead" right under
it, incidents collapsed to their latest update), then the fallbacks. Every
string from the snapshot is untrusted and is cleaned again here
(:func:`line`/:func:`block`); a feed link is kept only when
:func:`trayapp.domain.links.safe_link` allows it, a configured web_url only when
:func:`trayapp.domain.text.safe_url` does. The Tk window shows these in labels
(never markup); :mod:`trayapp.windows.details_html` writes the same as text or
an escaped page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from trayapp.config import vendor_hosts
from trayapp.core.eta import eta_from_json, figures_words, usually_words
from trayapp.core.monitor import stale_line
from trayapp.core.pick import offer_label, offers
from trayapp.core.retryafter import wait_words
from trayapp.core.textclean import block, line, noted
from trayapp.domain.levels import Level, parse_level
from trayapp.domain.links import safe_link
from trayapp.domain.text import safe_url
from trayapp.windows.details_words import (
    Seg,
    clock,
    duration,
    headline,
    probe_words,
    segments,
    since_words,
    vendor_rating,
)


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str | None                    # None: shown as text, cannot be opened


@dataclass(frozen=True, slots=True)
class UpdateView:
    when: str
    status: str
    body: tuple[Seg, ...]


@dataclass(frozen=True, slots=True)
class IncidentView:
    title: str
    meta: str                          # "Investigating; rated partial outage by Anthropic; ..."
    latest: UpdateView | None
    older: tuple[UpdateView, ...]
    link: Link | None


@dataclass(frozen=True, slots=True)
class ServiceView:
    id: str
    name: str
    level: Level
    headline: str                      # "Major outage since 14:03 (38 min)"
    expected: str | None               # "usually 20-95 min; open for 38 min"
    expected_why: str | None           # the figure it rests on, and its basis
    reason: str                        # one plain-language line
    probe: str | None                  # "API answering in 84 ms"
    use_instead: tuple[Link, ...]
    use_instead_note: str | None       # "No fallback is up right now", or None
    incidents: tuple[IncidentView, ...]
    notes: tuple[str, ...]             # affected components, maintenance
    page: Link | None


@dataclass(frozen=True, slots=True)
class OtherView:
    """A fallback's own row."""

    id: str
    name: str
    level: Level
    summary: str
    open: Link | None
    not_running: bool = False          # a local server that is not running

    @property
    def state(self) -> str:
        return "not running" if self.not_running else self.level.label


@dataclass(frozen=True, slots=True)
class Dashboard:
    title: str
    checked: str                       # "Checked 14:05 (2 min ago)"
    offline: str | None
    paused: str | None                 # "Notifications paused until 15:00"
    services: tuple[ServiceView, ...]
    others: tuple[OtherView, ...]


def _level(value: Any) -> Level:
    return parse_level(str(value)) or Level.UNKNOWN


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value[:64])
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _list(data: Any, key: str) -> list[dict[str, Any]]:
    value = data.get(key) if isinstance(data, dict) else None
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dict(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    return value if isinstance(value, dict) else None


def window_title(snap: dict[str, Any]) -> str:
    """``"trayapp: Claude major outage"`` (the worst watched service), ``"trayapp"``.
    Takes the snapshot, or a payload holding it under ``"snapshot"``."""
    if isinstance(snap.get("snapshot"), dict):
        snap = snap["snapshot"]
    if snap.get("offline"):
        return "trayapp: offline"
    watched = [s for s in _list(snap, "services") if s.get("role") == "watch"]
    bad = sorted(watched, key=lambda s: -_level(s.get("level")).rank)
    if bad:
        top = bad[0]
        return line(f"trayapp: {line(top.get('name'), 40)} "
                    f"{_level(top.get('level')).label}", 80)
    return "trayapp"


def _since(s: dict[str, Any], level: Level) -> datetime | None:
    """When this problem started, as far as the snapshot knows: the start of the
    earliest active incident (the vendor's own time). None when nothing says."""
    if not level.is_problem:
        return None
    starts = [t for i in _list(_dict(s, "feed"), "incidents")
              if (t := _time(i.get("created_at"))) is not None]
    return min(starts) if starts else None


def _reason(s: dict[str, Any], now: datetime, tz: tzinfo | None) -> str:
    feed = _dict(s, "feed")
    stale = _time(feed.get("stale_since")) if feed else None
    summary = line(s.get("summary"), 300)
    if stale is not None and feed is not None:
        # the remembered level (the last good read's), never this failed read's
        last = parse_level(str(feed.get("last_known") or ""))
        return _sentence(stale_line(since_words(stale, now, tz), last,
                                    feed.get("stale_expired") is True))
    if s.get("probe_disagrees"):
        return "The API fails from this network while the status page says operational"
    return summary or "No data yet"


def _update(u: dict[str, Any], page: object, now: datetime, tz: tzinfo | None) -> UpdateView:
    at = _time(u.get("at"))
    return UpdateView(clock(at, now, tz) if at else "", line(u.get("status"), 40).capitalize(),
                      segments(block(u.get("body"), 2000), page))


def _incident(inc: dict[str, Any], page: object, vendor: str, now: datetime,
              tz: tzinfo | None) -> IncidentView:
    bits = [line(inc.get("status"), 40).capitalize(),
            vendor_rating(_level(inc.get("impact")), vendor)]
    started = _time(inc.get("created_at"))
    if started:
        bits.append("started " + since_words(started, now, tz).removeprefix("since "))
    comps = [line(c, 60) for c in (inc.get("components") or []) if isinstance(c, str)]
    if comps:
        bits.append("affects " + line(", ".join(comps), 300))
    updates = sorted(_list(inc, "updates"), key=lambda u: _time(u.get("at")) or datetime.min
                     .replace(tzinfo=now.tzinfo), reverse=True)
    views = [_update(u, page, now, tz) for u in updates]
    url = safe_link(inc.get("url"), page, vendor_hosts())
    return IncidentView(line(inc.get("name"), 200), "; ".join(b for b in bits if b),
                        views[0] if views else None, tuple(views[1:]),
                        Link("Open incident", url) if url else None)


def _use_instead(s: dict[str, Any], snap: dict[str, Any],
                 offline: bool) -> tuple[tuple[Link, ...], str | None]:
    """The fallbacks offered, in the one order and wording (:func:`trayapp.core.pick.offers`):
    healthy first, a degraded one named as such."""
    if not _list(s, "fallbacks"):
        return (), None
    up: list[Link] = []
    for f in offers(snap, str(s.get("id"))):
        if offline and not f.get("local"):
            continue
        url = safe_url(f.get("web_url")) or safe_url(f.get("page_url"))
        up.append(Link(offer_label(line(f.get("name"), 40), str(f.get("level")),
                                   f.get("local") is True), url))
    return tuple(up), None if up else "No fallback is up right now"


def _pace(polling: dict[str, Any] | None) -> str:
    """``" · on battery: polling every 2 min"`` while the slower battery pace is on."""
    every = polling.get("every") if polling else None
    if not polling or polling.get("on_battery") is not True or isinstance(every, bool) \
            or not isinstance(every, int | float) or not 0 < every < 1e9:
        return ""
    return f" · on battery: polling every {duration(every)}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _service(s: dict[str, Any], snap: dict[str, Any], vendor: str,
             offline: bool, now: datetime, tz: tzinfo | None,
             vendor_name: str = "") -> ServiceView:
    level = _level(s.get("level"))
    if offline and not s.get("local"):
        level = Level.UNKNOWN
    feed = _dict(s, "feed")
    probe = probe_words(_dict(s, "probe"))
    page = safe_url(s.get("page_url"))
    trouble = level.is_problem or level is Level.UNKNOWN or offline
    use, note = _use_instead(s, snap, offline) if trouble else ((), None)
    notes = []
    hurt = [c for c in _list(feed, "components") if _level(c.get("level")).is_problem]
    if hurt:
        notes.append("Affected: " + line(", ".join(
            noted(line(c.get("name"), 60), _level(c.get("level")).label) for c in hurt), 400))
    for m in _list(feed, "maintenances"):
        start = _time(m.get("starts_at"))
        when = "in progress" if m.get("in_progress") else \
            f"from {clock(start, now, tz)}" if start else "planned"
        notes.append(f"Maintenance: {noted(line(m.get('name'), 120), when)}")
    waiting = wait_words(_time(s.get("retry_at")), now, tz)
    if waiting:
        notes.append(f"{_sentence(waiting)} (Retry-After): not asked before then")
    eta = eta_from_json(s.get("eta"), now) if level.is_problem and not offline else None
    return ServiceView(
        id=line(s.get("id"), 60), name=line(s.get("name"), 60), level=level,
        expected=usually_words(eta) if eta else None,
        expected_why=_sentence(figures_words(eta.figures, vendor_name)) if eta else None,
        headline="Cannot tell while offline" if offline and not s.get("local")
        else "Not running" if s.get("not_running") is True
        else headline(level, _since(s, level), now, tz),
        reason=_reason(s, now, tz) if feed or not probe else probe, probe=probe if feed else None,
        use_instead=use, use_instead_note=note,
        incidents=tuple(_incident(i, page, vendor, now, tz)
                        for i in _list(feed, "incidents")),
        notes=tuple(notes), page=Link("Status page", page) if page else None)


def dashboard(snap: dict[str, Any], now: datetime, tz: tzinfo | None = None,
              vendors: dict[str, str] | None = None,
              paused_until: datetime | None = None) -> Dashboard:
    """The whole window's content. ``vendors``: service id -> company ("Anthropic")."""
    services = _list(snap, "services")
    offline = bool(snap.get("offline"))
    checked_at = _time(snap.get("checked_at"))
    checked = f"Checked {clock(checked_at, now, tz)}" if checked_at else "Not checked yet"
    checked += _pace(_dict(snap, "polling"))
    vendors = vendors or {}
    watched = tuple(
        _service(s, snap, line(vendors.get(str(s.get("id"))), 40)
                 or f"{line(s.get('name'), 40)}'s status page", offline, now, tz,
                 line(vendors.get(str(s.get("id"))), 40) or line(s.get("name"), 40))
        for s in services if s.get("role") == "watch")
    others = []
    for f in services:
        if f.get("role") == "watch":
            continue
        url = safe_url(f.get("web_url")) or safe_url(f.get("page_url"))
        name = line(f.get("name"), 60)
        stopped = f.get("not_running") is True
        said = probe_words(_dict(f, "probe")) if not f.get("feed") and not stopped else None
        others.append(OtherView(line(f.get("id"), 60), name, _level(f.get("level")),
                                said or line(f.get("summary"), 200),
                                Link(f"Open {name}", url) if url else None, stopped))
    paused = None
    if paused_until is not None and paused_until > now:
        paused = f"Notifications paused until {clock(paused_until, now, tz)}"
    return Dashboard(
        title=window_title(snap), checked=checked,
        offline=f"Offline: {line(snap.get('reason'), 200) or 'no network'}; "
                "remote services cannot be judged" if offline else None,
        paused=paused, services=watched, others=tuple(others))


@dataclass(frozen=True, slots=True)
class Line:
    """One piece of the window's text, flattened (the log, tests, hostile-text checks;
    other sections, such as the history, add theirs)."""

    text: str
    style: str = "body"         # title | heading | level | body | muted | link
    url: str | None = None
    level: Level | None = None


def plain_text(lines: list[Line]) -> str:
    return "\n".join(ln.text for ln in lines)


def lines_of(d: Dashboard) -> list[Line]:
    """Every string the window shows, in order, with its link if it has one."""
    out = [Line(d.title, "title"), Line(d.checked, "muted")]
    out += [Line(x, "heading") for x in (d.offline, d.paused) if x]
    for s in d.services:
        out += [Line(f"{s.name}: {s.headline}", "level", level=s.level)]
        out += [Line(s.expected), Line(s.expected_why or "", "muted")] if s.expected else []
        out += [Line(s.reason)]
        out += [Line(s.probe)] if s.probe else []
        out += [Line(u.text, url=u.url) for u in s.use_instead]
        out += [Line(s.use_instead_note)] if s.use_instead_note else []
        for inc in s.incidents:
            out += [Line(f"Incident: {inc.title}", "heading"), Line(inc.meta, "muted")]
            for u in ((inc.latest,) if inc.latest else ()) + inc.older:
                out.append(Line(f"{u.when} {u.status}".strip()))
                out += [Line(g.text, url=g.url) for g in u.body]
            out += [Line(inc.link.text, url=inc.link.url)] if inc.link else []
        out += [Line(n) for n in s.notes]
        out += [Line(s.page.text, url=s.page.url)] if s.page else []
    for o in d.others:
        out.append(Line(f"{o.name}: {o.state} - {o.summary}", "level", level=o.level))
        out += [Line(o.open.text, url=o.open.url)] if o.open else []
    return out


def details_lines(payload: dict[str, Any], tz: tzinfo | None = None,
                  now: datetime | None = None) -> list[Line]:
    """:func:`lines_of` the dashboard of a payload (``{"snapshot": ...}``) or a snapshot;
    ``now`` defaults to the snapshot's own time."""
    snap = payload.get("snapshot") if isinstance(payload.get("snapshot"), dict) else payload
    assert isinstance(snap, dict)
    when = now or _time(snap.get("checked_at")) or datetime.fromtimestamp(0).astimezone()
    return lines_of(dashboard(snap, when, tz))
