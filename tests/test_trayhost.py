"""The no-tray decision (trayapp.core.trayhost): which backend docks where."""

from __future__ import annotations

import pytest

from trayapp.core.trayhost import NO_TRAY, no_tray_reason


@pytest.mark.parametrize(("backend", "xembed", "watcher", "expected"), [
    ("xorg", False, None, NO_TRAY),          # vanilla GNOME: no XEmbed host
    ("xorg", False, True, NO_TRAY),          # a watcher does not help the xorg backend
    ("gtk", False, True, NO_TRAY),           # nor Gtk.StatusIcon
    ("xorg", True, False, None),
    ("gtk", None, None, None),               # could not tell: show as before
    ("appindicator", False, True, None),     # KDE, GNOME with the extension
    ("appindicator", False, False, NO_TRAY),
    ("appindicator", False, None, None),
])
def test_no_tray_reason(backend: str, xembed: bool | None, watcher: bool | None,
                        expected: str | None) -> None:
    assert no_tray_reason(backend, xembed, watcher) == expected


def test_the_line_names_gnome_and_the_fix() -> None:
    assert "\n" not in NO_TRAY and "GNOME" in NO_TRAY and "AppIndicator" in NO_TRAY
