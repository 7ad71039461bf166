"""The desktop's work area (the screen less its panels) on X11: the root window's
``_NET_WORKAREA`` for the current desktop (``_NET_CURRENT_DESKTOP``), as a
window manager following the EWMH sets it. None where there is none (no window
manager, Wayland without XWayland's property, python-xlib absent, macOS, Windows):
the caller then uses the whole screen.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def work_area(display: str | None = None) -> tuple[int, int, int, int] | None:
    """(x, y, width, height) of the current desktop's work area, or None."""
    try:
        import Xlib.display
        import Xlib.error
        import Xlib.X
    except ImportError:
        return None
    try:
        d = Xlib.display.Display(display)
    except (Xlib.error.DisplayError, OSError) as exc:
        log.debug("no X display for the work area (%s)", type(exc).__name__)
        return None
    try:
        root = d.screen().root
        prop = root.get_full_property(d.intern_atom("_NET_WORKAREA"), Xlib.X.AnyPropertyType)
        if prop is None or len(prop.value) < 4:
            return None
        cur = root.get_full_property(d.intern_atom("_NET_CURRENT_DESKTOP"),
                                     Xlib.X.AnyPropertyType)
        i = int(cur.value[0]) if cur is not None and len(cur.value) else 0
        values = [int(v) for v in prop.value]
        if len(values) < 4 * (i + 1):
            i = 0
        x, y, w, h = values[4 * i: 4 * i + 4]
        return (x, y, w, h) if w > 0 and h > 0 else None
    except (Xlib.error.XError, ValueError, TypeError) as exc:   # a half-set property
        log.debug("cannot read the work area (%s)", type(exc).__name__)
        return None
    finally:
        d.close()
