"""What the details window shows, as plain lines. Pure.

Input is the payload the tray writes for the details process: the snapshot
as :func:`trayapp.render.snapshot_json` makes it, plus the action buttons.
Every string from it is untrusted and is sanitized again here
(:func:`one_line`/:func:`paragraph`); links are kept only when http(s).
The Tk window shows the lines in Text/Label widgets (never markup); the
HTML fallback escapes every one of them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from trayapp.levels import Level, parse_level
from trayapp.links import safe_link
from trayapp.text import safe_url
from trayapp.tray.textclean import block, line
from trayapp.tray.timefmt import local_time


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    style: str = "body"         # title | heading | level | body | muted | link
    url: str | None = None
    level: Level | None = None


def _level(value: Any) -> Level:
    return parse_level(str(value)) or Level.UNKNOWN


def _when(value: Any, tz: tzinfo | None) -> str:
    if not isinstance(value, str):
        return ""
    try:
        parsed = datetime.fromisoformat(value[:64])
    except ValueError:
        return ""
    return local_time(parsed, tz)


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def window_title(payload: dict[str, Any]) -> str:
    snap = payload.get("snapshot") or {}
    watched = [s for s in _list(snap, "services") if isinstance(s, dict)
               and s.get("role") == "watch"]
    if snap.get("offline"):
        return "trayapp: offline"
    bad = sorted(watched, key=lambda s: -_level(s.get("level")).rank)
    if bad:
        top = bad[0]
        return line(f"trayapp: {line(top.get('name'), 40)} "
                        f"{_level(top.get('level')).label}", 80)
    return "trayapp"


def _service(s: dict[str, Any], names: dict[str, str], tz: tzinfo | None) -> list[Line]:
    level = _level(s.get("level"))
    out = [Line(f"{line(s.get('name'), 60)}: {level.label}", "level", level=level),
           Line(block(s.get("summary"), 400), "body")]
    feed = s.get("feed") if isinstance(s.get("feed"), dict) else None
    probe = s.get("probe") if isinstance(s.get("probe"), dict) else None
    if s.get("probe_disagrees"):
        out.append(Line("The API probe disagrees with the status page.", "muted"))
    for inc in _list(feed, "incidents"):
        if not isinstance(inc, dict):
            continue
        started = _when(inc.get("created_at"), tz)
        out.append(Line(f"Incident: {line(inc.get('name'), 200)}", "heading"))
        out.append(Line(f"Status: {line(inc.get('status'), 40)}; impact: "
                        f"{_level(inc.get('impact')).label}"
                        + (f"; started {started}" if started else ""), "muted"))
        comps = [line(c, 60) for c in _list(inc, "components")]
        if comps:
            out.append(Line("Affects: " + line(", ".join(comps), 400), "muted"))
        updates = [u for u in _list(inc, "updates") if isinstance(u, dict)]
        updates.sort(key=lambda u: str(u.get("at") or ""), reverse=True)
        for u in updates:
            out.append(Line(f"{_when(u.get('at'), tz) or '(no time)'}  "
                            f"{line(u.get('status'), 40)}", "muted"))
            out.append(Line(block(u.get("body"), 2000), "body"))
        url = safe_link(inc.get("url"), s.get("page_url"))
        if url:
            out.append(Line("Open incident", "link", url=url))
    hurt = [c for c in _list(feed, "components") if isinstance(c, dict)
            and _level(c.get("level")).is_problem]
    if hurt:
        out.append(Line("Affected components: " + line(", ".join(
            f"{line(c.get('name'), 60)} ({_level(c.get('level')).label})" for c in hurt),
            600), "body"))
    for m in _list(feed, "maintenances"):
        if isinstance(m, dict):
            state = "in progress" if m.get("in_progress") else \
                f"from {_when(m.get('starts_at'), tz) or '?'}"
            out.append(Line(f"Maintenance: {line(m.get('name'), 120)} ({state})", "muted"))
    if probe is not None:
        code = probe.get("status_code")
        ms = probe.get("latency_ms")
        bits = [f"HTTP {code}" if isinstance(code, int) else line(probe.get("detail"), 80)]
        if isinstance(ms, int):
            bits.append(f"{ms} ms")
        out.append(Line("API probe: " + ", ".join(bits), "muted"))
    fbs = [f for f in _list(s, "fallbacks") if isinstance(f, dict)]
    if fbs:
        out.append(Line("Fallbacks: " + ", ".join(
            f"{names.get(str(f.get('id')), line(f.get('id'), 40))} "
            f"({_level(f.get('level')).label})" for f in fbs), "body"))
    page = safe_url(s.get("page_url"))
    if page:
        out.append(Line(f"Status page: {page}", "link", url=page))
    return out


def details_lines(payload: dict[str, Any], tz: tzinfo | None = None) -> list[Line]:
    snap = payload.get("snapshot") if isinstance(payload.get("snapshot"), dict) else {}
    assert isinstance(snap, dict)
    services = [s for s in _list(snap, "services") if isinstance(s, dict)]
    names = {str(s.get("id")): line(s.get("name"), 40) for s in services}
    checked = _when(snap.get("checked_at"), tz)
    lines = [Line(window_title(payload), "title"),
             Line(f"Checked {checked}" if checked else "Not checked yet", "muted")]
    if snap.get("offline"):
        lines.append(Line(f"Offline: {line(snap.get('reason'), 200)}", "heading"))
    for s in services:
        if s.get("role") == "watch":
            lines += _service(s, names, tz)
    fallbacks = [s for s in services if s.get("role") != "watch"]
    if fallbacks:
        lines.append(Line("Fallbacks", "heading"))
        for f in fallbacks:
            level = _level(f.get("level"))
            lines.append(Line(f"{line(f.get('name'), 60)}: {level.label} - "
                              f"{line(f.get('summary'), 200)}", "level", level=level))
            web = safe_url(f.get("web_url"))
            if web:
                lines.append(Line(f"Open {line(f.get('name'), 60)}", "link", url=web))
    return lines


def plain_text(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines)


def to_html(lines: list[Line]) -> str:
    """A standalone page; every string escaped, links only http(s)."""
    e = html.escape
    title = lines[0].text if lines else "trayapp"
    body: list[str] = []
    tags = {"title": "h1", "heading": "h3", "level": "h2"}
    for ln in lines:
        text = e(ln.text).replace("\n", "<br>")
        if ln.url and safe_url(ln.url):
            body.append(f'<p><a href="{e(ln.url, quote=True)}" rel="noreferrer">{text}</a></p>')
        elif ln.style in tags:
            body.append(f"<{tags[ln.style]}>{text}</{tags[ln.style]}>")
        elif ln.style == "muted":
            body.append(f'<p style="color:#666">{text}</p>')
        else:
            body.append(f"<p>{text}</p>")
    return ("<!doctype html><html><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            f"<title>{e(title)}</title></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
