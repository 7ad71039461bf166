"""The Preferences window (Tk, its own process): ``trayapp preferences [--config PATH]``.

A thin view over :mod:`trayapp.windows.prefs_model`, one module per tab
(:mod:`trayapp.windows.prefs_services`, :mod:`trayapp.windows.prefs_add`; the settings tab
and Save are here): the window holds a model, each
control edits a copy of it, and Save writes ``apply(text, before, after)``
through :mod:`trayapp.edges.configwrite` (validated first, atomic, one backup).
Keys typed here go to the OS keyring (:mod:`trayapp.edges.keys`) on Save, never
to the file. Sizes come from the font's metrics (nothing fixed in pixels),
so nothing is clipped at 192 dpi. Edits are never lost silently: the title says
when something is unsaved, and Close (or Esc, or the window manager's close)
then asks "Save changes?" (Save / Discard / Cancel). Enter does the focused
field's own action (Check in the URL field, a focused button's), Save elsewhere;
an error names the field as the window labels it and focuses it. Tab walks the
controls in reading order. Feed text (a page's component names) is inserted
as plain text. Checking a page by URL runs on a thread; the UI stays live.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from trayapp.config import Config, ConfigError, load_presets, parse_text
from trayapp.domain.text import one_line
from trayapp.edges.winshell import prepare as prepare_windows
from trayapp.windows import prefs_model as pm
from trayapp.windows.details_layout import geometry
from trayapp.windows.prefs_add import AddTab
from trayapp.windows.prefs_services import ERROR, OK, ServicesTab

log = logging.getLogger("trayapp.preferences")
WATCH_MS = 200          # how often the title is brought up to date with the edits


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
        root.title(pm.title(False))
        from trayapp.windows.theme import apply_theme
        apply_theme(root, max(1.0, float(root.winfo_fpixels("1i")) / 96.0))
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
        self.cancel_button = ttk.Button(buttons, text="Close", command=self.close)
        self.cancel_button.pack(side="left")
        self.asking: Any = None             # the "Save changes?" dialog while it is open
        root.bind("<Return>", self.enter)
        root.bind("<KP_Enter>", self.enter)
        root.bind("<Escape>", lambda _e: self.close())
        root.protocol("WM_DELETE_WINDOW", self.close)
        self._fill_tree()
        first = self.prefs.rows[0].sid if self.prefs.rows else None
        if first:
            self.select(first)
        self.saved_edits = self.edits()
        self.dirty = False
        root.update_idletasks()
        root.minsize(root.winfo_reqwidth(), root.winfo_reqheight())
        self._watch()

    # ------------------------------------------------------------ unsaved changes
    def edits(self) -> pm.Edits:
        """What Save would write now (the shown row's typed text taken into the model)."""
        self._commit()
        form: dict[str, str | bool] = {k: w.get() for k, w in self.fields.items()}
        form["notify_maintenance"] = self.maintenance.get()
        return pm.Edits.of(self.prefs, form, self.pending_keys, self.autostart.get())

    def refresh_dirty(self) -> bool:
        """The title (and a "Saved." that no longer holds) follow the edits; True if dirty."""
        if self.closed:
            return False
        dirty = self.edits() != self.saved_edits
        if dirty != self.dirty:
            self.dirty = dirty
            self.root.title(pm.title(dirty))
            if dirty and str(self.message.cget("text")).startswith("Saved"):
                self.say("")
        return dirty

    def _watch(self) -> None:
        if not self.closed:
            self.refresh_dirty()
            self.root.after(WATCH_MS, self._watch)

    def enter(self, event: Any = None) -> None:
        """Enter: the focused field's own action, Save elsewhere."""
        focus = self.root.focus_get()
        if focus is self.url_entry:
            self.check_button.invoke()
        elif focus is not None and focus.winfo_class() in ("TButton", "Button"):
            focus.invoke()
        else:
            self.save()

    def close(self) -> None:
        """Close; with unsaved changes, ask first (Save / Discard / Cancel)."""
        if self.closed:
            return
        if self.asking is not None:
            self.asking.lift()
            return
        if not self.refresh_dirty():
            self.cancel()
            return
        self.ask_save()

    def ask_save(self) -> None:
        tk, ttk, pad = self.tk, self.ttk, self.pad
        top = tk.Toplevel(self.root)
        top.title("Save changes?")
        top.transient(self.root)
        top.resizable(False, False)
        self.asking = top
        body = ttk.Frame(top, padding=pad * 2)
        body.pack(fill="both", expand=True)
        ttk.Label(body, text="Save changes to the preferences before closing?",
                  wraplength=self.em * 30).pack(anchor="w", pady=(0, pad * 2))
        row = ttk.Frame(body)
        row.pack(anchor="e")

        def answer(what: str) -> None:
            top.destroy()
            self.asking = None
            if what == "discard" or (what == "save" and self.save()):
                self.cancel()

        save = ttk.Button(row, text="Save", default="active",
                          command=lambda: answer("save"))
        buttons = [save, ttk.Button(row, text="Discard", command=lambda: answer("discard")),
                   ttk.Button(row, text="Cancel", command=lambda: answer("cancel"))]
        for button in buttons:
            button.pack(side="left", padx=(pad, 0))
        top.bind("<Return>", lambda _e: (top.focus_get() or save).invoke())
        top.bind("<Escape>", lambda _e: answer("cancel"))
        top.protocol("WM_DELETE_WINDOW", lambda: answer("cancel"))
        save.focus_set()
        top.grab_set()
        # once it has the keyboard, say so and where its buttons are (what a test reads)
        top.bind("<FocusIn>", lambda e: e.widget is top and print(
            "asking: " + json.dumps(geometry(top, buttons)), flush=True))

    # ------------------------------------------------------------ settings tab
    def _settings_tab(self, parent: Any) -> Any:
        tk, ttk, pad = self.tk, self.ttk, self.pad
        tab = ttk.Frame(parent, padding=pad)
        s = self.prefs.settings
        self.fields: dict[str, Any] = {}
        values = {"interval": str(s.interval), "min_level": s.min_level,
                  "quiet_hours": s.quiet_hours, "min_gap": str(s.min_gap),
                  "stale_after": str(s.stale_after)}
        if s.history_days is not None:
            values["history_days"] = str(s.history_days)
        rows = [(key, pm.LABELS[key], value) for key, value in values.items()]
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

    def _read_settings(self) -> pm.Settings | pm.Problem:
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
        if isinstance(settings, pm.Problem):
            self.show_problem(settings)
            return False
        after = replace(self.prefs, settings=settings)
        new_text = pm.apply(self.text, self.before, after)
        try:
            config = configwrite.save(self.path, new_text)
        except ConfigError as exc:
            self.show_problem(pm.name_problem(str(exc), str(self.path)), "Not saved: ")
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
        self.saved_edits = self.edits()
        self.refresh_dirty()
        print(f"saved {self.path}", flush=True)
        return True

    def show_problem(self, problem: pm.Problem, prefix: str = "") -> None:
        """The problem in the window's words, and the focus on its field (its tab shown)."""
        self.say(prefix + problem.text, ERROR)
        widget = self.fields.get(problem.field or "")
        if widget is not None:
            self.notebook.select(widget.master)
            widget.focus_set()
            if widget.winfo_class() == "TEntry":
                widget.select_range(0, "end")

    def cancel(self) -> None:
        """Close now, whatever is unsaved (Discard)."""
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
