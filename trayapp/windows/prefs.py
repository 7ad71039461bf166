"""The Preferences window (Tk, its own process): ``trayapp preferences [--config PATH]``.

A thin view over :mod:`trayapp.windows.prefs_model`, one module per tab
(:mod:`trayapp.windows.prefs_services`, :mod:`trayapp.windows.prefs_add`; the settings tab
and Save are here): the window holds a model, each
control edits a copy of it, and Save writes ``apply(text, before, after)``
through :mod:`trayapp.edges.configwrite` (validated first, atomic, one backup).
Keys typed here go to the OS keyring (:mod:`trayapp.edges.keys`) on Save, never
to the file. Sizes come from the font's metrics (nothing fixed in pixels),
so nothing is clipped at 192 dpi; Enter saves, Esc cancels, Tab walks the
controls in reading order. Feed text (a page's component names) is inserted
as plain text. Checking a page by URL runs on a thread; the UI stays live.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from trayapp.config import Config, ConfigError, load_presets, parse_text
from trayapp.domain.text import one_line
from trayapp.edges.winshell import prepare as prepare_windows
from trayapp.windows import prefs_model as pm
from trayapp.windows.prefs_add import AddTab
from trayapp.windows.prefs_services import ERROR, OK, ServicesTab

log = logging.getLogger("trayapp.preferences")


def saved_message(config: Config) -> str:
    return (f"Saved. A running trayapp picks it up at its next check "
            f"(within {config.interval} s).")


class PrefsWindow(ServicesTab, AddTab):
    """The window; its widgets are attributes so a test can drive it like a user."""

    def __init__(self, path: Path, text: str, exists: bool, *,
                 scaling: float | None = None) -> None:
        import tkinter as tk
        from tkinter import font as tkfont
        from tkinter import ttk

        self.tk, self.ttk = tk, ttk
        self.path, self.text, self.exists = path, text, exists
        config = parse_text(text, str(path))
        self.before = pm.build(config, load_presets())
        self.prefs = self.before
        self.config = config
        self.pending_keys: dict[str, str] = {}
        self.shown: str | None = None       # the row whose values the entries show
        self.found: Any = None
        self.closed = False

        prepare_windows(sys.platform)    # DPI-aware before Tk (Windows only)
        self.root = root = tk.Tk(className="trayapp")
        if scaling is not None:       # pixels per point, as an X server at that dpi says
            root.tk.call("tk", "scaling", scaling)
        root.title("trayapp Preferences")
        _point_fonts(root)
        base = tkfont.nametofont("TkDefaultFont")
        self.line = int(base.metrics("linespace"))
        self.em = int(base.measure("M"))
        style = ttk.Style(root)
        style.configure("Treeview", rowheight=self.line + self.line // 3)
        self.pad = max(4, self.line // 4)

        notebook = ttk.Notebook(root)
        notebook.pack(fill="both", expand=True, padx=self.pad, pady=self.pad)
        notebook.add(self._services_tab(notebook), text="Services")
        notebook.add(self._add_tab(notebook), text="Add a status page")
        notebook.add(self._settings_tab(notebook), text="Notifications and polling")
        notebook.enable_traversal()
        self.notebook = notebook

        bottom = ttk.Frame(root, padding=(self.pad, 0, self.pad, self.pad))
        bottom.pack(fill="x")
        self.message = ttk.Label(bottom, text="", wraplength=self.em * 40)
        self.message.pack(side="left", fill="x", expand=True)
        buttons = ttk.Frame(bottom)
        buttons.pack(side="right")
        # created in reading order, so Tab goes Save -> Cancel
        self.save_button = ttk.Button(buttons, text="Save", command=self.save,
                                      default="active")
        self.save_button.pack(side="left", padx=self.pad)
        self.cancel_button = ttk.Button(buttons, text="Cancel", command=self.cancel)
        self.cancel_button.pack(side="left")
        root.bind("<Return>", lambda _e: self.save())
        root.bind("<KP_Enter>", lambda _e: self.save())
        root.bind("<Escape>", lambda _e: self.cancel())
        root.protocol("WM_DELETE_WINDOW", self.cancel)
        self._fill_tree()
        first = self.prefs.rows[0].sid if self.prefs.rows else None
        if first:
            self.select(first)
        root.update_idletasks()
        root.minsize(root.winfo_reqwidth(), root.winfo_reqheight())

    # ------------------------------------------------------------ settings tab
    def _settings_tab(self, parent: Any) -> Any:
        tk, ttk, pad = self.tk, self.ttk, self.pad
        tab = ttk.Frame(parent, padding=pad)
        s = self.prefs.settings
        self.fields: dict[str, Any] = {}
        rows: tuple[tuple[str, str, str], ...] = (
            ("interval", "Check every (seconds)", str(s.interval)),
            ("min_level", "Notify from this level up", s.min_level),
            ("quiet_hours", "Quiet hours (like 22:00-07:00)", s.quiet_hours),
            ("min_gap", "At most one notification per service every (seconds)",
             str(s.min_gap)),
            ("stale_after", "An unreadable page's last level counts for (seconds)",
             str(s.stale_after)))
        if s.history_days is not None:
            rows = (*rows, ("history_days", "Keep history for (days; 0: none)",
                            str(s.history_days)))
        for i, (key, label, value) in enumerate(rows):
            ttk.Label(tab, text=label).grid(row=i, column=0, sticky="w", pady=pad // 2)
            if key == "min_level":
                widget = ttk.Combobox(tab, values=pm.MIN_LEVELS, state="readonly", width=16)
                widget.set(value)
            else:
                widget = ttk.Entry(tab, width=18)
                widget.insert(0, value)
            widget.grid(row=i, column=1, sticky="w", padx=(pad, 0), pady=pad // 2)
            self.fields[key] = widget
        self.maintenance = tk.BooleanVar(value=s.notify_maintenance)
        ttk.Checkbutton(tab, text="Notify about maintenance", variable=self.maintenance).grid(
            row=len(rows), column=0, columnspan=2, sticky="w", pady=pad // 2)
        self.autostart = tk.BooleanVar(value=_autostart_enabled())
        self.autostart_before = self.autostart.get()
        ttk.Checkbutton(tab, text="Start trayapp at login", variable=self.autostart).grid(
            row=len(rows) + 1, column=0, columnspan=2, sticky="w", pady=pad // 2)
        return tab

    def _read_settings(self) -> pm.Settings | str:
        form: dict[str, str | bool] = {k: w.get() for k, w in self.fields.items()}
        form["notify_maintenance"] = self.maintenance.get()
        return pm.read_settings(form)

    # ------------------------------------------------------------ save / cancel
    def say(self, text: str, colour: str = "") -> None:
        self.message.configure(text=one_line(text, 400), foreground=colour)

    def save(self) -> bool:
        """Validate, write, store keys; True when saved. A problem is shown, one line."""
        from trayapp.edges import configwrite, keys

        self._commit()
        settings = self._read_settings()
        if isinstance(settings, str):
            self.say(settings, ERROR)
            return False
        after = replace(self.prefs, settings=settings)
        new_text = pm.apply(self.text, self.before, after)
        try:
            config = configwrite.save(self.path, new_text)
        except ConfigError as exc:
            self.say(f"Not saved: {exc}", ERROR)
            return False
        except OSError as exc:
            self.say(f"Not saved: cannot write {self.path} ({exc.strerror})", ERROR)
            return False
        problems = []
        for sid, key in self.pending_keys.items():
            if config.service(sid) is None:
                continue
            try:
                keys.store(sid, key)
            except keys.KeyringUnavailable as exc:
                problems.append(f"the key of {sid} was not stored: {exc}")
        self.pending_keys.clear()
        if self.autostart.get() != self.autostart_before:
            problems += _set_autostart(self.autostart.get())
            self.autostart_before = self.autostart.get()
        self.text, self.before, self.prefs, self.config = new_text, pm.build(
            config, load_presets()), pm.build(config, load_presets()), config
        self.exists = True
        self._fill_tree()
        self._on_select()
        if problems:
            self.say("Saved, but " + "; ".join(problems), ERROR)
        else:
            self.say(saved_message(config), OK)
        self.cancel_button.configure(text="Close")
        print(f"saved {self.path}", flush=True)
        return True

    def cancel(self) -> None:
        self.closed = True
        self.root.destroy()


def _point_fonts(root: Any) -> None:
    """Tk's X11 fonts are sized in pixels (-12): as points they follow the screen's dpi,
    so text at 192 dpi is as large as at 96, and every size derived from it grows too."""
    from tkinter import font as tkfont

    for name in tkfont.names(root):
        f = tkfont.nametofont(name, root=root)
        size = int(f.cget("size"))
        if size < 0:
            f.configure(size=max(6, round(-size * 72 / 96)))


def _autostart_enabled() -> bool:
    from trayapp.edges import autostart
    return autostart.is_enabled()


def _set_autostart(on: bool) -> list[str]:
    from trayapp.edges import autostart
    try:
        if on:
            autostart.enable()
        else:
            autostart.disable()
    except autostart.AutostartError as exc:
        return [f"start at login was not changed: {exc}"]
    return []


def open_window(arg: str | None, scaling: float | None = None) -> PrefsWindow:
    """The window for the config named by ``--config``/``TRAYAPP_CONFIG`` or the user's."""
    from trayapp.edges import configfile, configwrite

    path, _ = configfile.locate(arg)
    text, exists = configwrite.current_text(path)
    return PrefsWindow(path, text, exists, scaling=scaling)


def run(arg: str | None) -> int:
    """``trayapp preferences``: 0 closed, 78 the config cannot be edited, 1 no window."""
    try:
        window = open_window(arg)
    except ConfigError as exc:
        print(f"trayapp: cannot edit the configuration: {one_line(str(exc), 1000)} "
              "(fix the file first)", file=sys.stderr)
        return 78
    except Exception as exc:          # no tkinter, or no display for it
        print(f"trayapp: no Preferences window ({one_line(exc, 200)}); edit the config "
              "file, or use `trayapp init` and `trayapp key`", file=sys.stderr)
        return 1
    window.root.mainloop()
    return 0
