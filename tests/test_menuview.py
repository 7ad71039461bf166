"""MenuView with pystray's own Menu and MenuItem (the dummy backend: no display).

Where the backend cannot patch a menu (macOS, Windows), hidden slots are not
built at all, and what pystray shows is what :func:`build_menu` shows; a
click runs the action of the item at that place in the items last shown, so
a menu built earlier does what its own labels said.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest

from tests.test_tray_builders import T0, claude, fallbacks, incident, snapshot
from trayapp.domain.levels import Level
from trayapp.tray.backend import Backend
from trayapp.tray.menu import Act, Action, Item, MenuState, build_menu
from trayapp.tray.menuview import MenuView

NOW = T0 + timedelta(minutes=4)
STATE = MenuState(fallback_ids=("openai",))


@pytest.fixture
def pystray(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setitem(os.environ, "PYSTRAY_BACKEND", "dummy")
    return pytest.importorskip("pystray")


def backend(pystray: Any) -> Backend:
    return Backend(name="dummy", icon_class=None, menu_class=pystray.Menu,
                   item_class=pystray.MenuItem, has_menu=True, has_default_action=True,
                   has_notification=False, background=None, tooltip_limit=127,
                   platform="win32")


def texts(menu: Any) -> list[Any]:
    """What pystray shows: visible items, separators collapsed, submenus opened."""
    out: list[Any] = []
    for i in menu:
        out.append("-" if i is menu.SEPARATOR else i.text)
        if i.submenu:
            out.append(texts(i.submenu))
    return out


def flat(tree: list[Any]) -> list[str]:
    return [t for x in tree for t in (flat(x) if isinstance(x, list) else [x])]


def shown(items: tuple[Item, ...]) -> list[Any]:
    out: list[Any] = []
    for i in items:
        if i.visible:
            out.append("-" if i.separator else i.text)
            if i.children:
                out.append(shown(i.children))
    return out


def test_without_patching_only_what_is_shown_is_built(pystray: Any) -> None:
    clicked: list[Action] = []
    view = MenuView(backend(pystray), lambda a: lambda *_: clicked.append(a))
    down = build_menu(snapshot(claude(Level.MAJOR_OUTAGE, incident()), *fallbacks()), STATE,
                      NOW)
    menu = view.build(down)
    assert texts(menu) == shown(down)
    assert "" not in flat(texts(menu))                    # no empty (hidden) slot shown
    up = build_menu(snapshot(claude(Level.OPERATIONAL), *fallbacks()), STATE, NOW)
    assert view.update(type("Icon", (), {})(), up) == "rebuilt"
    # the older menu's "Check now" still checks now, though the items moved on
    check = next(i for i in menu if i.text == "Check now")
    check(None)
    assert clicked == [Action(Act.CHECK_NOW)]


def test_the_details_windows_pause_button_has_the_hour_the_tray_gives(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Menu-less backends: the tray's buttons (flat_actions) go to the details window,
    whose "Pause until tomorrow" keeps the tray's "(08:00)"."""
    from datetime import datetime

    from trayapp.tray.menu import flat_actions
    from trayapp.windows.details import Live, bar_actions
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    morning = datetime(2024, 5, 2, 8, 0).astimezone()
    items = flat_actions(build_menu(None, MenuState(tomorrow=morning), NOW))
    payload = {"snapshot": {}, "actions": [
        {"text": i.text, "kind": str(i.action.kind), "arg": ""} for i in items if i.action]}
    labels = [label for label, _ in bar_actions(payload, Live(payload), print)]
    assert "Pause until tomorrow (08:00)" in labels and "Send a test notification" in labels
