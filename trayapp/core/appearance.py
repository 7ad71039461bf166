"""Dark or light: the desktop's preference, decided from what the edge read
(:mod:`trayapp.edges.appearance`). Pure.

In order: the freedesktop ``org.freedesktop.appearance color-scheme`` setting
(the XDG desktop portal: 1 prefers dark, 2 prefers light, 0 no preference), the
system setting on macOS and Windows, GTK's ``gtk-application-prefer-dark-theme``,
then GTK's theme name (``Adwaita-dark``, ``Adwaita:dark``); light otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Scheme = Literal["dark", "light"]


@dataclass(frozen=True)
class Preference:
    portal: int | None = None            # color-scheme: 0 none, 1 dark, 2 light
    system: Scheme | None = None         # macOS AppleInterfaceStyle, Windows AppsUseLightTheme
    gtk_prefer_dark: bool | None = None  # gtk-application-prefer-dark-theme
    gtk_theme: str | None = None         # gtk-theme-name, GTK_THEME


def scheme(p: Preference) -> Scheme:
    if p.portal == 1:
        return "dark"
    if p.portal == 2:
        return "light"
    if p.system is not None:
        return p.system
    if p.gtk_prefer_dark:
        return "dark"
    name = (p.gtk_theme or "").strip().lower()
    return "dark" if name.endswith(("-dark", ":dark", "_dark")) else "light"
