"""The windows' look: dark or light as the desktop prefers, and the parts Tk
does not scale by itself (scrollbars, check and radio indicators) sized with
the fonts. :func:`apply_theme` is called once, right after ``tk.Tk()``, by every
window (details, Preferences, About); the colours it chose are :data:`ACTIVE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trayapp.core.appearance import Scheme, scheme


@dataclass(frozen=True)
class Palette:
    name: Scheme
    background: str
    field: str          # entries, lists, the scrolling body
    text: str
    muted: str
    link: str
    select: str
    border: str


LIGHT = Palette("light", "#f6f5f4", "#ffffff", "#1e1e1e", "#555555", "#1a5fb4",
                "#3584e4", "#b6b6b3")
DARK = Palette("dark", "#242424", "#1e1e1e", "#eeeeec", "#a8a8a8", "#78aeed",
               "#3584e4", "#4a4a4a")
ACTIVE: list[Palette] = [LIGHT]        # what the window in this process uses


def desktop_scheme() -> Scheme:
    from trayapp.edges.appearance import read
    return scheme(read())


def apply_theme(root: Any, k: float = 1.0, choice: Scheme | None = None) -> Palette:
    """Colour ``root``'s ttk and Tk widgets for the desktop's scheme (or ``choice``)
    and size scrollbars and indicators by ``k`` (1.0 at 96 dpi). Returns the palette."""
    from tkinter import TclError, ttk
    p = DARK if (choice or desktop_scheme()) == "dark" else LIGHT
    ACTIVE[:] = [p]
    style = ttk.Style(root)
    try:
        style.theme_use("clam")        # the built-in theme that takes every colour
    except TclError:
        pass
    style.configure(".", background=p.background, foreground=p.text, fieldbackground=p.field,
                    bordercolor=p.border, troughcolor=p.field, selectbackground=p.select,
                    selectforeground="#ffffff", insertcolor=p.text, lightcolor=p.background,
                    darkcolor=p.background)
    style.map(".", background=[("disabled", p.background), ("active", p.border)],
              foreground=[("disabled", p.muted)])
    style.configure("TButton", padding=(round(8 * k), round(3 * k)))
    style.configure("Treeview", background=p.field, fieldbackground=p.field, foreground=p.text)
    size = round(14 * k)
    for name in ("Vertical.TScrollbar", "Horizontal.TScrollbar"):
        style.configure(name, arrowsize=size, width=size, background=p.background)
    for name in ("TRadiobutton", "TCheckbutton"):
        style.configure(name, indicatorsize=round(12 * k), indicatormargin=round(2 * k),
                        indicatorbackground=p.field, indicatorforeground=p.text)
    root.configure(background=p.background)
    for option, value in (("*Background", p.background), ("*Foreground", p.text),
                          ("*Canvas.Background", p.field), ("*Text.Background", p.field),
                          ("*Listbox.Background", p.field),
                          ("*selectBackground", p.select)):
        root.option_add(option, value)
    return p
