"""Where the details window goes: its saved frame kept inside the work area, or,
the first time, next to the tray icon (or the panel's corner).

Pure: the caller reads the window's frame (Tk's ``wm geometry``, the frame's outer
corner, which is also what ``geometry()`` sets, so a save and a restore agree even
under a window manager that adds a title bar) and the work area
(:mod:`trayapp.edges.workarea`), and passes them in.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Rect(NamedTuple):
    x: int
    y: int
    width: int
    height: int


_GEOMETRY = re.compile(r"^(\d+)x(\d+)\+(-?\d+)\+(-?\d+)$")


def parse_geometry(text: str) -> Rect | None:
    """Tk's "WxH+X+Y" (X or Y may be "-5": left of or above the screen) as a Rect;
    None for anything else (Tk's "-X" counted from the right is never written)."""
    m = _GEOMETRY.match(text.strip())
    if m is None:
        return None
    return Rect(int(m[3]), int(m[4]), int(m[1]), int(m[2]))


def as_geometry(r: Rect) -> str:
    return f"{r.width}x{r.height}+{r.x}+{r.y}"


def clamp(frame: Rect, area: Rect, minimum: tuple[int, int]) -> Rect:
    """``frame`` moved (and shrunk if it must) to lie inside ``area``, never smaller
    than ``minimum``. Inside already: unchanged."""
    w = max(minimum[0], min(frame.width, area.width))
    h = max(minimum[1], min(frame.height, area.height))
    x = max(area.x, min(frame.x, area.x + area.width - w))
    y = max(area.y, min(frame.y, area.y + area.height - h))
    return Rect(x, y, w, h)


def first_place(size: tuple[int, int], area: Rect, screen: tuple[int, int],
                icon: Rect | None, gap: int = 8) -> Rect:
    """The first frame: next to the tray icon when its place is known (below it when
    the icon is in the top half of the screen, above it otherwise, its right edge at
    the icon's), else the work area's corner nearest the panel (the side the work
    area leaves free of the screen), then kept inside the work area."""
    w, h = size
    if icon is not None:
        x = icon.x + icon.width - w
        y = icon.y + icon.height + gap if icon.y < screen[1] // 2 else icon.y - h - gap
    else:
        top = area.y > 0 or area.y + area.height >= screen[1]
        left = area.x > 0 and area.x + area.width >= screen[0]
        x = area.x + gap if left else area.x + area.width - w - gap
        y = area.y + gap if top else area.y + area.height - h - gap
    return clamp(Rect(x, y, w, h), area, (min(w, area.width), min(h, area.height)))
