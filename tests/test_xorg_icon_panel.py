"""The xorg icon is composited on the panel's real pixels, and a draw that could not
read them is not kept.

CI once saw trayer show the operational icon on a grey square for good (the light
panel's 240 against the fallback grey's 64: "off by 175"): the first draw ran before
the tray had mapped the window, the panel could not be read, and the grey composite
was kept because the window's size did not change afterwards. Here the X window is a
fake whose first read fails the way an unmapped window's does, then gives the panel.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("Xlib", reason="python-xlib is not installed")

from trayapp.domain.levels import Level
from trayapp.icon import render_icon
from trayapp.tray import backend

PANEL = (240, 240, 240)


class Raw:
    def __init__(self, data: bytes) -> None:
        self.data = data


class Window:
    """An X window whose contents can be read only once it is ``mapped``."""

    def __init__(self) -> None:
        self.mapped = False

    def clear_area(self, *args: Any) -> None:
        pass

    def get_image(self, x: int, y: int, width: int, height: int, *args: Any) -> Raw:
        if not self.mapped:
            import Xlib.error
            raise Xlib.error.BadMatch(None, None)     # what X says of an unmapped window
        return Raw(bytes((PANEL[2], PANEL[1], PANEL[0], 0)) * (width * height))


class Display:
    def sync(self) -> None:
        pass


class Base:
    """Stands in for pystray's xorg Icon: only what the subclass's drawing reads."""


def icon(window: Window) -> Any:
    made = backend._clickable_xorg(Base)()
    made._window, made._display = window, Display()
    made.renderer = lambda side: render_icon(Level.OPERATIONAL, frozenset(), side)
    return made


def corner(made: Any) -> tuple[int, int, int]:
    colour: tuple[int, int, int] = made._icon_data.getpixel((0, 0))
    return colour


def test_a_draw_before_the_window_is_mapped_is_done_again_on_the_panel() -> None:
    window = Window()
    made = icon(window)
    made._assert_icon_data(22, 22)
    assert corner(made) == backend.XORG_BACKGROUND      # nothing to read yet: a plain grey
    window.mapped = True
    made._assert_icon_data(22, 22)                       # the expose after mapping
    assert corner(made) == PANEL


def test_a_draw_on_the_panel_is_kept_while_the_size_stays() -> None:
    window = Window()
    window.mapped = True
    made = icon(window)
    made._assert_icon_data(22, 22)
    first = made._icon_data
    made._assert_icon_data(22, 22)
    assert made._icon_data is first
    assert corner(made) == PANEL
    made._assert_icon_data(24, 24)
    assert made._icon_data.size == (24, 24)
