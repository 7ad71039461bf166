"""The history strips (issue 14's ``trayapp.windows.history_strip``) as extra rows under
each service in the details window.

:func:`rows_for` returns the function the layout calls per service row (see
:func:`trayapp.windows.details_layout.service_extras`): a small frame with the
24 h and 7 d strips and their uptimes. The strip module is looked up at run
time, so the window works (without strips) where it is absent, and a history
file that cannot be read only means no strips.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from trayapp.windows.details_text import Line
from trayapp.windows.theme import ACTIVE

Rows = Callable[[Any, str], list[Any]]


def _module() -> Any:
    try:
        return importlib.import_module("trayapp.windows.history_strip")
    except ImportError:
        return None


def load(snap: dict[str, Any]) -> list[Any] | None:
    """The services' history (``history_strip.ServiceHistory``), or None."""
    strip = _module()
    if strip is None:
        return None
    try:
        loaded: list[Any] | None = strip.load({"snapshot": snap})
    except Exception:      # a broken history only means no strips
        return None
    return loaded


def lines(history: list[Any] | None) -> list[Line]:
    strip = _module()
    return list(strip.lines(history)) if strip is not None and history else []


def rows_for(history: list[Any] | None, scale: float) -> Rows:
    """Per service id, the strips frame (or nothing)."""
    strip = _module()
    by_id = {str(h.id): h for h in history or []}

    def rows(parent: Any, service_id: str) -> list[Any]:
        h = by_id.get(service_id)
        if strip is None or h is None:
            return []
        from tkinter import ttk
        frame = ttk.Frame(parent)
        width, height = round(strip.STRIP_W * scale), round(strip.STRIP_H * scale)
        for row, (label, seconds, key) in enumerate(strip.WINDOWS):
            ttk.Label(frame, text=label).grid(row=row, column=0, sticky="w")
            strip.draw_strip(frame, h.spans, h.now - seconds, h.now, width, height).grid(
                row=row, column=1, padx=round(4 * scale), pady=1)
            ttk.Label(frame, text=strip.uptime_text(h.uptime[key])).grid(
                row=row, column=2, sticky="w")
        n = len(strip.WINDOWS)
        if "30d" in h.uptime:
            ttk.Label(frame, text="30 d: " + strip.uptime_text(h.uptime["30d"]),
                      foreground=ACTIVE[0].muted).grid(row=n, column=0, columnspan=3, sticky="w")
        for i, inc in enumerate(strip.extra_lines(h), start=n + 1):
            ttk.Label(frame, text=str(inc), foreground=ACTIVE[0].muted,
                      wraplength=round(strip.WRAP * scale)).grid(row=i, column=0,
                                                                  columnspan=3, sticky="w")
        return [frame]
    return rows
