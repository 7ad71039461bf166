"""History in the details window: per service a 24 h and a 7 d strip, uptimes, incidents.

A self-contained piece (issue 14) so the window's redesign can move it:
:func:`load` reads the history file (the details process is short-lived, so
``sqlite3`` costs the tray nothing here) into plain :class:`ServiceHistory`
data; :func:`segments` is the pure geometry of a strip; :func:`draw_strip`
draws one into a given Tk parent (a Canvas: the window already uses Tk);
:func:`insert_into` puts the whole section into the window's Text widget, and
:func:`lines` is the same as text for the log and the HTML fallback.

Under the strips: how the status page did against this machine's probes (its
lag, :mod:`trayapp.core.history.lag`) and the last incidents.

Colours are the icon's level colours; offline is dark grey, unknown light
grey, and a gap in observation (asleep, not running) is hatched.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trayapp.core.history.uptime import Span, Uptime, clip, humanize
from trayapp.core.textclean import line
from trayapp.windows.details_text import Line

if TYPE_CHECKING:
    import tkinter as tk

GAP = "gap"
WINDOWS = (("24 h", 86400, "24h"), ("7 d", 7 * 86400, "7d"))
STRIP_W, STRIP_H = 300, 14
WRAP = 560
MAX_INCIDENTS = 3
OFFLINE_COLOUR = "#4a4a4a"
GAP_COLOUR = "#d0d0d0"


@dataclass(frozen=True, slots=True)
class IncidentLine:
    text: str


@dataclass(frozen=True, slots=True)
class ServiceHistory:
    id: str
    name: str
    spans: tuple[Span, ...]                  # combined (all kept; the strips clip)
    uptime: dict[str, Uptime]                # "24h", "7d", "30d"
    incidents: tuple[str, ...]               # newest first, one line each
    now: float
    page_lag: str = ""                       # how the page did against the probes, or ""


def load(payload: dict[str, Any], now: float | None = None) -> list[ServiceHistory] | None:
    """The history of the snapshot's services; None when there is none to show."""
    now = time.time() if now is None else now
    try:
        from trayapp.core.history.lag import lag_words
        from trayapp.core.history.report import build, lead_phrase
        from trayapp.edges import history_store as store
        contents = store.read(store.default_path(), int(now) - 30 * 86400, spans_since=0)
    except Exception:          # no history, a locked or unreadable file: just no strips
        return None
    if contents is None or not contents.services:
        return None
    snap = payload.get("snapshot") if isinstance(payload.get("snapshot"), dict) else {}
    order = [str(s.get("id")) for s in (snap or {}).get("services") or [] if isinstance(s, dict)]
    reports = {r.id: r for r in build(contents, int(now))}
    out = []
    for sid in order or list(reports):
        r = reports.get(sid)
        if r is None:
            continue
        incs = []
        for i in r.incidents[:MAX_INCIDENTS]:
            state = f"lasted {humanize(i.duration(int(now)))}" if i.end is not None else \
                f"open for {humanize(i.duration(int(now)))}"
            lead = lead_phrase(i)
            when = time.strftime("%m-%d %H:%M", time.localtime(i.start))
            incs.append(f"{when} {line(i.row.name, 80)} ({state}" +
                        (f"; {lead})" if lead else ")"))
        out.append(ServiceHistory(r.id, r.name, tuple(r.spans.get("combined", [])),
                                  r.uptime["combined"], tuple(incs), now,
                                  "" if r.page_lag is None else
                                  lag_words(line(r.name, 60), r.page_lag)))
    return out or None


def segments(spans: tuple[Span, ...] | list[Span], start: float, end: float
             ) -> list[tuple[float, float, str]]:
    """The strip from ``start`` to ``end`` as (from, to, state) fractions of its width,
    in order and covering it all: what was not observed is a ``gap``."""
    out: list[tuple[float, float, str]] = []
    width = end - start
    cursor = start
    for s in clip(spans, start, end):
        if s.start > cursor:
            out.append(((cursor - start) / width, (s.start - start) / width, GAP))
        a = max(s.start, cursor)
        if s.end > a:
            out.append(((a - start) / width, (s.end - start) / width, s.state))
        cursor = max(cursor, s.end)
    if cursor < end:
        out.append(((cursor - start) / width, 1.0, GAP))
    return out


def colour(state: str) -> str:
    from trayapp.domain.levels import parse_level
    from trayapp.icon import LEVEL_COLOURS
    if state == "offline":
        return OFFLINE_COLOUR
    level = parse_level(state)
    if level is None:
        return GAP_COLOUR
    r, g, b = LEVEL_COLOURS[level]
    return f"#{r:02x}{g:02x}{b:02x}"


def draw_strip(parent: tk.Misc, spans: tuple[Span, ...], start: float, end: float,
               width: int = STRIP_W, height: int = STRIP_H) -> tk.Canvas:
    """A Canvas in ``parent`` with the strip drawn; the caller places it."""
    import tkinter as tk
    canvas = tk.Canvas(parent, width=width, height=height, highlightthickness=1,
                       highlightbackground="#999999", background=GAP_COLOUR, borderwidth=0)
    for a, b, state in segments(spans, start, end):
        x0, x1 = round(a * width), max(round(b * width), round(a * width) + 1)
        if state == GAP:
            canvas.create_rectangle(x0, 0, x1, height, fill="#ffffff", outline="",
                                    stipple="gray25")
        else:
            canvas.create_rectangle(x0, 0, x1, height, fill=colour(state), outline="")
    return canvas


def percent_words(percent: float) -> str:
    """An uptime as precise as it needs to be, never better than it was: "100" only when
    all was up, two decimals in the 99s (where uptimes differ: "99.95"), else whole
    (rounded down: "64", not "64.52" of two minutes); "under 1", not "0", when any was."""
    if percent >= 100:
        return "100"
    if percent >= 99:
        return f"{math.floor(percent * 100) / 100:.2f}".rstrip("0").rstrip(".")
    return str(math.floor(percent)) if percent >= 1 else "under 1" if percent > 0 else "0"


def uptime_text(u: Uptime) -> str:
    """``"99.95 % up"``, ``"64 % up (2 min watched)"`` when part of the window was not
    watched, ``"not watched yet"``."""
    if u.percent is None:
        return "not watched yet"
    text = f"{percent_words(u.percent)} % up"
    return text if u.observed_percent >= 99 else f"{text} ({humanize(u.observed)} watched)"


def insert_into(text: tk.Text, history: list[ServiceHistory]) -> None:
    """Append the History section to the (still editable) details Text widget."""
    from tkinter import ttk
    text.insert("end", "History\n", ("heading",))
    text.insert("end", "Uptime: the share of the time watched that was up. Strips in the "
                "icon's colours, oldest left; dark grey: offline; hatched: not watching "
                "(asleep, not running).\n", ("muted",))
    for h in history:
        frame = ttk.Frame(text)
        ttk.Label(frame, text=line(h.name, 60), font=("TkDefaultFont", 10, "bold")).grid(
            row=0, column=0, columnspan=3, sticky="w")
        for row, (label, seconds, key) in enumerate(WINDOWS, start=1):
            ttk.Label(frame, text=label, width=5).grid(row=row, column=0, sticky="w")
            draw_strip(frame, h.spans, h.now - seconds, h.now).grid(row=row, column=1,
                                                                     padx=4, pady=1)
            ttk.Label(frame, text=uptime_text(h.uptime[key])).grid(row=row, column=2,
                                                                   sticky="w")
        ttk.Label(frame, text="30 d: " + uptime_text(h.uptime["30d"]),
                  foreground="#555555").grid(row=3, column=0, columnspan=3, sticky="w")
        for n, inc in enumerate(extra_lines(h), start=4):
            ttk.Label(frame, text=inc, foreground="#555555", wraplength=WRAP).grid(
                row=n, column=0, columnspan=3, sticky="w")
        text.insert("end", "\n")
        text.window_create("end", window=frame, padx=12)
        text.insert("end", "\n")


def lines(history: list[ServiceHistory] | None) -> list[Line]:
    """The section as text lines (the log's copy of the window, the HTML fallback)."""
    if not history:
        return []
    out = [Line("History", "heading")]
    for h in history:
        out.append(Line(f"{line(h.name, 60)}: " + "; ".join(
            f"{key}: {uptime_text(u)}" for key, u in h.uptime.items()), "body"))
        out += [Line(inc, "muted") for inc in extra_lines(h)]
    return out


def extra_lines(h: ServiceHistory) -> tuple[str, ...]:
    """The muted lines under the strips: the page's lag (with its count), the incidents."""
    return ((h.page_lag,) if h.page_lag else ()) + h.incidents
