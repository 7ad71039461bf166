"""The menu on the icon: built once per shape, then patched in place while it is open.

On the appindicator backend a new menu closes an open one (XFCE's
StatusNotifier host drops it when the DBusMenu layout is replaced: libdbusmenu
sends ``LayoutUpdated``), and on the gtk backend an open menu is a widget that
a new menu does not replace, so it kept saying "major outage" after the level
changed. :func:`trayapp.tray.menu.build_menu` therefore gives the menu one
shape (:func:`menu.structure`) for a given set of services and fallbacks, with
hidden slots for what the feed may add, and :meth:`MenuView.update`:

* does nothing when the items are the same;
* changes labels, checks, enabled and visible states of the menu that is
  shown, where the backend can (:attr:`Backend.patch_menu`: the GTK backends,
  whose ``Gtk.Menu`` libdbusmenu-gtk exports item by item, so a change is an
  ``ItemsPropertiesUpdated``, not a new layout);
* builds a new menu only when its structure changed.

An item's action is looked up when it is clicked (by its place in the menu),
so a patched item does what its new label says; a check set by a patch does
not run the item's action (GTK activates a check item whose state is set).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from trayapp.tray.backend import Backend
from trayapp.tray.menu import Act, Action, Item, structure

Path = tuple[int, ...]


def _at(items: tuple[Item, ...], path: Path) -> Item:
    for n in path[:-1]:
        items = items[n].children
    return items[path[-1]]


class MenuView:
    def __init__(self, backend: Backend, callback: Callable[[Action], Any]) -> None:
        self.backend = backend
        self.callback = callback
        self.shown: tuple[Item, ...] | None = None
        self.counts = {"same": 0, "patched": 0, "rebuilt": 0}
        self._patching = False
        self._cell: list[tuple[Item, ...]] = [()]   # the items of the menu last built

    @property
    def patches(self) -> bool:
        return self.backend.patch_menu is not None

    def build(self, items: tuple[Item, ...]) -> Any:
        """A pystray menu for ``items`` (remembered as the one shown). Where the backend
        patches, hidden slots are built too (then hidden by :meth:`patch`)."""
        b = self.backend
        self.shown = items
        self._cell = cell = [items]     # an older menu still open keeps its own items
        if not b.has_menu:
            # Only the default (click) action: opening the details window.
            return b.menu_class(b.item_class("Details", self.callback(Action(Act.DETAILS)),
                                             default=True, visible=False))
        return b.menu_class(*self._items(items, (), cell))

    def _items(self, items: tuple[Item, ...], path: Path, cell: list[tuple[Item, ...]],
               ) -> list[Any]:
        """pystray items for ``items``: every slot where the backend patches (hidden by the
        patch), else only the visible ones (a path is still the place in ``items``)."""
        return [self._item(i, (*path, n), cell) for n, i in enumerate(items)
                if i.visible or self.patches]

    def _item(self, item: Item, path: Path, cell: list[tuple[Item, ...]]) -> Any:
        b = self.backend
        if item.separator:
            return b.menu_class.SEPARATOR
        visible = True if self.patches else item.visible
        if item.children:
            return b.item_class(item.text, b.menu_class(*self._items(item.children, path, cell)),
                                enabled=item.enabled, visible=visible)
        def click() -> None:
            self._click(cell[0], path)

        def checked(_item: Any) -> bool:
            return bool(_at(cell[0], path).checked)
        return b.item_class(item.text, click, checked=None if item.checked is None else checked,
                            enabled=item.enabled, visible=visible,
                            default=item.default and b.has_default_action)

    def _click(self, items: tuple[Item, ...], path: Path) -> None:
        if self._patching:
            return                  # GTK "activates" a check item when a patch sets it
        item = _at(items, path)
        if item.action is not None and item.enabled and item.visible:
            self.callback(item.action)()

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        self._patching = True
        try:
            yield
        finally:
            self._patching = False

    def patch(self, icon: Any) -> None:
        """Bring the backend's menu in line with the items shown (hidden slots hidden)."""
        if self.shown is not None and self.backend.patch_menu is not None:
            self.backend.patch_menu(icon, self.shown, self._quiet)

    def update(self, icon: Any, items: tuple[Item, ...]) -> str:
        """Show ``items`` on ``icon``; says how: "same", "patched" or "rebuilt"."""
        if not self.backend.has_menu or items == self.shown:
            how = "same"
        elif (self.shown is not None and self.patches
              and structure(items) == structure(self.shown)):
            self.shown = self._cell[0] = items
            self.patch(icon)
            how = "patched"
        else:
            icon.menu = self.build(items)
            self.patch(icon)        # after pystray's own build, on the same GLib loop
            how = "rebuilt"
        self.counts[how] += 1
        return how
