"""The menu on the icon: built once, patched in place, rebuilt only when its shape changes.

On the appindicator backend a new menu closes an open one (XFCE's
StatusNotifier host drops it when the DBusMenu layout is replaced), so
rebuilding it at every poll made the menu impossible to keep open at a short
interval. :meth:`MenuView.update` therefore:

* does nothing when the items are the same;
* changes labels and enabled states of the menu that is shown, where the
  backend can (:attr:`Backend.patch_menu`: the GTK backends), when only those
  changed ("since 4 min ago" becomes "since 5 min ago");
* builds a new menu only when its structure changed (:func:`menu.structure`:
  items, actions, checks, submenus).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trayapp.tray.backend import Backend
from trayapp.tray.menu import Act, Action, Item, structure


def _noop(_icon: Any = None, _item: Any = None) -> None:
    return None


class MenuView:
    def __init__(self, backend: Backend, callback: Callable[[Action], Any]) -> None:
        self.backend = backend
        self.callback = callback
        self.shown: tuple[Item, ...] | None = None
        self.counts = {"same": 0, "patched": 0, "rebuilt": 0}

    def build(self, items: tuple[Item, ...]) -> Any:
        """A pystray menu for ``items`` (remembered as the one shown)."""
        b = self.backend
        self.shown = items
        if not b.has_menu:
            # Only the default (click) action: opening the details window.
            return b.menu_class(b.item_class("Details", self.callback(Action(Act.DETAILS)),
                                             default=True, visible=False))
        return b.menu_class(*[self._item(i) for i in items])

    def _item(self, item: Item) -> Any:
        b = self.backend
        if item.separator:
            return b.menu_class.SEPARATOR
        if item.children:
            return b.item_class(item.text, b.menu_class(*[self._item(c) for c in item.children]),
                                enabled=item.enabled)
        action = self.callback(item.action) if item.action else _noop
        checked = None if item.checked is None else (lambda _i, v=item.checked: v)
        return b.item_class(item.text, action, checked=checked, enabled=item.enabled,
                            default=item.default and b.has_default_action)

    def update(self, icon: Any, items: tuple[Item, ...]) -> str:
        """Show ``items`` on ``icon``; says how: "same", "patched" or "rebuilt"."""
        if not self.backend.has_menu or items == self.shown:
            how = "same"
        elif (self.shown is not None and self.backend.patch_menu is not None
              and structure(items) == structure(self.shown)):
            self.backend.patch_menu(icon, items)
            self.shown = items
            how = "patched"
        else:
            icon.menu = self.build(items)
            how = "rebuilt"
        self.counts[how] += 1
        return how
