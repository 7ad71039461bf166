"""Where the details window opens: the frame it had (kept in the state dir as Tk's
``wm geometry`` gives it, so a restore puts it back exactly, title bar and all),
kept inside the desktop's work area; the first time, next to the tray icon when
the tray passed its place, else in the work area's corner by the panel."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from trayapp.windows import placement

log = logging.getLogger(__name__)
GEOMETRY_FILE = "details-window.json"


def _geometry_file() -> Path:
    from trayapp.edges import paths
    return paths.state_dir() / GEOMETRY_FILE


def load_geometry(area: placement.Rect, minimum: tuple[int, int]) -> str | None:
    """The saved frame ("WxH+X+Y", the frame's outer corner), kept inside ``area``
    (the work area), or None when there is none."""
    from trayapp.edges.safefile import read_bytes
    try:
        raw = json.loads(read_bytes(_geometry_file(), 4096))
        w, h, x, y = (int(raw[k]) for k in ("width", "height", "x", "y"))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return placement.as_geometry(placement.clamp(placement.Rect(x, y, w, h), area, minimum))


def save_geometry(root: Any) -> None:
    """Keep the frame as Tk's ``wm geometry`` says it (the frame's corner, what
    ``geometry()`` sets again): the client's corner (``winfo_rootx``) would put the
    window a title bar lower at every reopen."""
    from trayapp.edges import paths
    frame = placement.parse_geometry(str(root.wm_geometry()))
    if frame is None:
        return
    data = {"width": frame.width, "height": frame.height, "x": frame.x, "y": frame.y}
    try:
        paths.write_atomic(_geometry_file(), json.dumps(data).encode(), 0o600)
    except OSError as exc:
        log.warning("cannot keep the window's place (%s)", exc.strerror)


def work_area(root: Any) -> placement.Rect:
    """The desktop's work area (the screen less its panels), else the whole screen."""
    screen = placement.Rect(0, 0, int(root.winfo_screenwidth()), int(root.winfo_screenheight()))
    found = None
    if str(root.tk.call("tk", "windowingsystem")) == "x11":
        from trayapp.edges.workarea import work_area as x11_work_area
        found = x11_work_area(str(root.winfo_screen()))
    if found is None:
        return screen
    inside = placement.clamp(placement.Rect(*found), screen, (1, 1))
    return inside if inside.width > 0 and inside.height > 0 else screen


def icon_rect(payload: dict[str, Any]) -> placement.Rect | None:
    """The tray icon's place on screen ([x, y, w, h]) when the tray passed it."""
    raw = payload.get("icon")
    if not isinstance(raw, list) or len(raw) != 4:
        return None
    try:
        x, y, w, h = (int(v) for v in raw)
    except (TypeError, ValueError):
        return None
    return placement.Rect(x, y, w, h) if w > 0 and h > 0 else None


def place(root: Any, payload: dict[str, Any], natural: tuple[int, int],
          minimum: tuple[int, int]) -> None:
    """Set ``root``'s geometry before it is first shown."""
    area = work_area(root)
    screen = (int(root.winfo_screenwidth()), int(root.winfo_screenheight()))
    root.geometry(load_geometry(area, minimum) or placement.as_geometry(
        placement.first_place(natural, area, screen, icon_rect(payload))))
