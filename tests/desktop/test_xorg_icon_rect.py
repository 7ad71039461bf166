"""The xorg icon says where it is on the screen (for the details window's first place
next to it), through the X server: a window at a known place under the root, and one
nested in a parent (a tray's socket), read back by ``screen_rect`` over its own
connection. A bare Xvfb, no window manager (windows stay where they are put)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.desktop.details_kit import missing, xvfb

pytestmark = [pytest.mark.desktop]


class Base:
    """Stands in for pystray's xorg Icon: only the display and window it holds."""


def icon_on(display: Any, window: Any) -> Any:
    from trayapp.tray import backend

    made = backend._clickable_xorg(Base)()
    made._display, made._window = display, window
    return made


def test_the_icon_reports_its_place_on_the_screen() -> None:
    if missing():
        pytest.skip("desktop programs missing: " + ", ".join(missing()))
    pytest.importorskip("Xlib", reason="python-xlib is not installed")
    import Xlib.display
    import Xlib.X

    with xvfb(96, "800x600x24") as name:
        display = Xlib.display.Display(name)
        root = display.screen().root
        alone = root.create_window(120, 40, 22, 22, 0, display.screen().root_depth)
        socket = root.create_window(500, 570, 200, 30, 0, display.screen().root_depth)
        nested = socket.create_window(7, 4, 24, 24, 0, display.screen().root_depth)
        for w in (alone, socket, nested):
            w.map()
        display.sync()
        assert icon_on(display, alone).screen_rect() == [120, 40, 22, 22]
        assert icon_on(display, nested).screen_rect() == [507, 574, 24, 24]
        nested.destroy()
        display.sync()
        assert icon_on(display, nested).screen_rect() is None        # gone: cannot tell
        display.close()
