"""Run in the desktop session: a real pystray gtk/appindicator icon and its Gtk menu.

Prints one JSON line: the Gtk.Menu's identity and labels after each update,
and how :class:`MenuView` applied it. Used by test_menu_inplace.py.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import traceback
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from gi.repository import GLib

from tests.test_tray_builders import claude, fallbacks, incident, snapshot
from trayapp.domain.levels import Level
from trayapp.icon import render_icon
from trayapp.tray.backend import load
from trayapp.tray.menu import MenuState, build_menu
from trayapp.tray.menuview import MenuView

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def labels(menu: object) -> list[str]:
    """The labels a user sees (hidden slots left out)."""
    return [w.get_label() or "" for w in menu.get_children()  # type: ignore[attr-defined]
            if w.get_visible()]


def main() -> None:
    backend = load()
    assert not isinstance(backend, str), backend
    view = MenuView(backend, lambda action: (lambda *_a: None))
    icon = backend.icon_class("trayapp", icon=render_icon(Level.OPERATIONAL, size=24),
                              title="t", menu=view.build(build_menu(None, MenuState(), NOW)))
    out: dict[str, object] = {"backend": backend.name, "steps": []}

    def step(items: tuple[object, ...]) -> None:
        how = view.update(icon, items)  # type: ignore[arg-type]
        done = threading.Event()
        GLib.idle_add(lambda: bool(done.set()))
        done.wait(10)
        out["steps"].append({"how": how, "menu": id(icon._menu_handle),  # type: ignore[attr-defined]
                             "labels": labels(icon._menu_handle)})

    def script(_icon: object) -> None:
        icon.visible = True
        view.patch(icon)                                      # hide the empty slots
        base = build_menu(None, MenuState(), NOW)
        step(base)                                            # same: nothing to do
        relabel = tuple(replace(i, text="Checking… again") if i.text == "Checking…" else i
                        for i in base)
        step(relabel)                                         # a label: patched in place
        paused = build_menu(None, MenuState(paused_until=NOW + timedelta(hours=1)), NOW)
        step(paused)                                          # a hidden slot shown: patched
        snap = snapshot(claude(Level.MAJOR_OUTAGE, incident()), *fallbacks())
        step(build_menu(snap, MenuState(fallback_ids=("openai",)), NOW))  # services: rebuilt
        print(json.dumps(out), flush=True)
        os._exit(0)          # pystray's gtk loop may linger after stop(): the answer is out

    def guarded(_icon: object) -> None:
        try:
            script(_icon)
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)

    icon.run(setup=guarded)


if __name__ == "__main__":
    main()
    sys.exit(0)
