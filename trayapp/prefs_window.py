"""The Preferences window (Tk, its own process): ``trayapp preferences [--config PATH]``.

A thin view over :mod:`trayapp.prefs_model`: the window holds a model, each
control edits a copy of it, and Save writes ``apply(text, before, after)``
through :mod:`trayapp.configwrite` (validated first, atomic, one backup).
Keys typed here go to the OS keyring (:mod:`trayapp.keys`) on Save, never
to the file. Sizes come from the font's metrics (nothing fixed in pixels),
so nothing is clipped at 192 dpi; Enter saves, Esc cancels, Tab walks the
controls in reading order. Feed text (a page's component names) is inserted
as plain text. Checking a page by URL runs on a thread; the UI stays live.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from trayapp import prefs_model as pm
from trayapp.config import Config, ConfigError, load_presets, parse_text
from trayapp.text import one_line

log = logging.getLogger("trayapp.preferences")
TREE_ROWS = 10
ERROR = "#a51d2d"
OK = "#26a269"


def saved_message(config: Config) -> str:
    return (f"Saved. A running trayapp picks it up at its next check "
            f"(within {config.interval} s).")


class PrefsWindow:
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

    # ------------------------------------------------------------ services tab
    def _services_tab(self, parent: Any) -> Any:
        tk, ttk, pad = self.tk, self.ttk, self.pad
        tab = ttk.Frame(parent, padding=pad)
        columns = ("name", "platform", "probe", "where", "choice")
        heads = ("Service", "Status platform", "API probe", "Where", "Use")
        tree = ttk.Treeview(tab, columns=columns, show="headings", height=TREE_ROWS,
                            selectmode="browse")
        from tkinter import font as tkfont
        body, bold = tkfont.nametofont("TkDefaultFont"), tkfont.nametofont("TkHeadingFont")
        cells = [(r.name, r.platform, "yes", "remote", "Fallback") for r in self.prefs.rows]
        for i, (col, head) in enumerate(zip(columns, heads, strict=True)):
            tree.heading(col, text=head, anchor="w")
            widest = max([bold.measure(head), *(body.measure(c[i]) for c in cells)])
            tree.column(col, width=widest + 2 * self.em, minwidth=widest, anchor="w",
                        stretch=True)
        bar = ttk.Scrollbar(tab, command=tree.yview)
        tree.configure(yscrollcommand=bar.set)
        tree.grid(row=0, column=0, sticky="nsew")
        bar.grid(row=0, column=1, sticky="ns")
        tree.bind("<<TreeviewSelect>>", lambda _e: self._on_select())
        self.tree = tree

        detail = ttk.LabelFrame(tab, text="Selected service", padding=pad)
        detail.grid(row=1, column=0, columnspan=2, sticky="ew", pady=(pad, 0))
        self.selected_label = ttk.Label(detail, text="", font="TkHeadingFont")
        self.selected_label.grid(row=0, column=0, columnspan=4, sticky="w")
        self.choice = tk.StringVar(value="off")
        self.choice_buttons = []
        for i, (value, label) in enumerate((("watch", "Watch"), ("fallback", "Fallback"),
                                            ("off", "Off"))):
            b = ttk.Radiobutton(detail, text=label, value=value, variable=self.choice,
                                command=self._on_choice)
            b.grid(row=1, column=i, sticky="w", padx=(0, pad))
            self.choice_buttons.append(b)
        ttk.Label(detail, text="Fallbacks, in order (service ids):").grid(
            row=2, column=0, columnspan=2, sticky="w", pady=(pad, 0))
        self.fallbacks_entry = ttk.Entry(detail, width=36)
        self.fallbacks_entry.grid(row=2, column=2, sticky="ew", pady=(pad, 0))
        self.fallbacks_entry.bind("<FocusOut>", lambda _e: self._commit())
        ttk.Label(detail, text="Components (empty: all):").grid(
            row=3, column=0, columnspan=2, sticky="w", pady=(pad, 0))
        self.components_entry = ttk.Entry(detail, width=36)
        self.components_entry.grid(row=3, column=2, sticky="ew", pady=(pad, 0))
        self.pick_button = ttk.Button(detail, text="From the page…",
                                      command=self.pick_components)
        self.pick_button.grid(row=3, column=3, sticky="w", padx=(pad, 0), pady=(pad, 0))
        self.picker: Any = None
        self.components_entry.bind("<FocusOut>", lambda _e: self._commit())
        ttk.Label(detail, text="API key (kept in the OS keyring):").grid(
            row=4, column=0, columnspan=2, sticky="w", pady=(pad, 0))
        self.key_entry = ttk.Entry(detail, width=36, show="•")
        self.key_entry.grid(row=4, column=2, sticky="ew", pady=(pad, 0))
        self.key_entry.bind("<FocusOut>", lambda _e: self._commit())
        self.key_note = ttk.Label(detail, text="", wraplength=self.em * 34)
        self.key_note.grid(row=5, column=0, columnspan=4, sticky="w")
        detail.columnconfigure(2, weight=1)
        tab.columnconfigure(0, weight=1)
        tab.rowconfigure(0, weight=1)
        return tab

    def _fill_tree(self) -> None:
        keep = self.tree.selection()
        self.tree.delete(*self.tree.get_children())
        for r in self.prefs.rows:
            self.tree.insert("", "end", iid=r.sid, values=(
                r.name, r.platform, "yes" if r.probe else "no",
                "local" if r.local else "remote", r.choice.title()))
        if keep and self.tree.exists(keep[0]):
            self.tree.selection_set(keep[0])

    def select(self, sid: str) -> None:
        self.tree.selection_set(sid)
        self.tree.see(sid)
        self._on_select()

    def _selected(self) -> pm.Row | None:
        chosen = self.tree.selection()
        return self.prefs.row(chosen[0]) if chosen else None

    def _set_entry(self, entry: Any, text: str, enabled: bool) -> None:
        entry.configure(state="normal")
        entry.delete(0, "end")
        entry.insert(0, text)
        entry.configure(state="normal" if enabled else "disabled")

    def _on_select(self) -> None:
        """Another row chosen: what was typed for the shown one is kept, then it is shown."""
        self._commit()
        row = self._selected()
        if row is not None:
            self._show(row)

    def _show(self, row: pm.Row) -> None:
        self.shown = row.sid
        self.selected_label.configure(text=f"{row.name} ({row.sid})")
        self.choice.set(row.choice)
        self._set_entry(self.fallbacks_entry,
                        pm.show_list(self.prefs.fallbacks.get(row.sid, ())),
                        row.choice == "watch")
        self._set_entry(self.components_entry,
                        pm.show_list(self.prefs.components.get(row.sid, ())),
                        row.choice != "off")
        self.pick_button.configure(state="normal" if row.choice != "off"
                                   and self._feed_of(row) else "disabled")
        self._key_state(row)

    def _feed_of(self, row: pm.Row) -> tuple[str, str] | None:
        """(kind, url) of the row's status page: the config's, its preset's, or added."""
        service = self.config.service(row.sid) if row.present else None
        if service is not None:
            return (service.feed.kind, service.feed.url) if service.feed else None
        if row.feed_url:
            return "auto", row.feed_url
        feed = (load_presets().get(row.preset or "") or {}).get("feed") or {}
        return (str(feed["kind"]), str(feed["url"])) if feed.get("url") else None

    def pick_components(self) -> None:
        """Read the page now and offer its components in a small dialog."""
        from trayapp import addpage

        row = self._selected()
        feed = self._feed_of(row) if row is not None else None
        if row is None or feed is None:
            return
        self.pick_button.configure(state="disabled")
        self.say(f"Reading the status page of {row.name}…")
        box: list[Any] = []

        def work() -> None:
            try:
                box.append(addpage.discover(feed[1], self.config, feed[0]))
            except Exception as exc:
                box.append(f"cannot read the page: {one_line(exc, 200)}")

        thread = threading.Thread(target=work, name="trayapp-components", daemon=True)
        thread.start()

        def wait() -> None:
            if thread.is_alive():
                self.root.after(50, wait)
            else:
                self.pick_button.configure(state="normal")
                self._show_picker(row.sid, box[0])
        self.root.after(50, wait)

    def _show_picker(self, sid: str, found: Any) -> None:
        tk, ttk = self.tk, self.ttk
        if isinstance(found, str):
            self.say(found, ERROR)
            return
        self.say(one_line(found.summary, 300))
        current = set(self.prefs.components.get(sid, ()))
        top = tk.Toplevel(self.root)
        top.title("Components")
        top.transient(self.root)
        frame = ttk.Frame(top, padding=self.pad)
        frame.pack(fill="both", expand=True)
        ttk.Label(frame, text="Watch these components (none selected: all):").pack(anchor="w")
        names = list(found.components)
        listbox = tk.Listbox(frame, selectmode="multiple", exportselection=False,
                             height=min(12, max(3, len(names))), width=40)
        for i, name in enumerate(names):
            listbox.insert("end", one_line(name, 120))
            if name in current:
                listbox.selection_set(i)
        listbox.pack(fill="both", expand=True, pady=self.pad)

        def ok() -> None:
            picked = tuple(names[i] for i in listbox.curselection())
            self.prefs = replace(self.prefs, components={**self.prefs.components, sid: picked})
            shown = self._selected()
            if shown is not None and shown.sid == sid:
                self._set_entry(self.components_entry, pm.show_list(picked), True)
            close()

        def close() -> None:
            self.picker = None
            top.destroy()
        buttons = ttk.Frame(frame)
        buttons.pack(fill="x")
        ttk.Button(buttons, text="Cancel", command=close).pack(side="right")
        ok_button = ttk.Button(buttons, text="OK", command=ok, default="active")
        ok_button.pack(side="right", padx=self.pad)
        top.bind("<Return>", lambda _e: ok())
        top.bind("<Escape>", lambda _e: close())
        listbox.focus_set()
        self.picker = (top, listbox, ok_button)

    def _key_state(self, row: pm.Row) -> None:
        from trayapp import keys

        self._set_entry(self.key_entry, self.pending_keys.get(row.sid, ""), False)
        if not row.keyed:
            self.key_note.configure(text="This service's probe sends no API key.")
            return
        reason = keys.problem()
        if reason is not None:
            self.key_note.configure(text=one_line(
                f"{reason}; the probe uses its environment variable instead.", 300))
            return
        self.key_entry.configure(state="normal")
        try:
            stored = keys.has_key(row.sid)
        except keys.KeyringUnavailable as exc:
            self.key_note.configure(text=one_line(str(exc), 300))
            return
        self.key_note.configure(text="A key is stored; type a new one to replace it."
                                if stored else "No key stored; type one to store it on Save.")

    def _on_choice(self) -> None:
        self._commit()
        row = self.prefs.row(self.shown) if self.shown else None
        if row is not None:
            self.prefs = pm.choose(self.prefs, row.sid, self.choice.get())
            self._fill_tree()
            changed = self.prefs.row(row.sid)
            if changed is not None:
                self._show(changed)

    def _commit(self) -> None:
        """The shown row's typed fallbacks, components and key into the model.

        Keyed to the row the entries show (not the tree's selection, which may have
        moved already when a FocusOut arrives)."""
        row = self.prefs.row(self.shown) if self.shown else None
        if row is None:
            return
        if row.keyed and self.key_entry.get().strip():
            self.pending_keys[row.sid] = self.key_entry.get().strip()
        fallbacks = dict(self.prefs.fallbacks)
        if row.choice == "watch":
            fallbacks[row.sid] = pm.parse_list(self.fallbacks_entry.get())
        components = dict(self.prefs.components)
        if row.choice != "off":
            typed = pm.parse_list(self.components_entry.get())
            if typed != components.get(row.sid, ()):
                components[row.sid] = typed
        self.prefs = replace(self.prefs, fallbacks=fallbacks, components=components)

    # ------------------------------------------------------------ add-a-page tab
    def _add_tab(self, parent: Any) -> Any:
        tk, ttk, pad = self.tk, self.ttk, self.pad
        tab = ttk.Frame(parent, padding=pad)
        ttk.Label(tab, text="Status page URL (or its feed's link):").grid(
            row=0, column=0, columnspan=2, sticky="w")
        self.url_entry = ttk.Entry(tab, width=48)
        self.url_entry.grid(row=1, column=0, sticky="ew")
        self.check_button = ttk.Button(tab, text="Check", command=self.check_url)
        self.check_button.grid(row=1, column=1, padx=(pad, 0))
        self.found_label = ttk.Label(tab, text="", wraplength=self.em * 40)
        self.found_label.grid(row=2, column=0, columnspan=2, sticky="w", pady=pad)
        ttk.Label(tab, text="Components to watch (none selected: all):").grid(
            row=3, column=0, columnspan=2, sticky="w")
        self.components_list = tk.Listbox(tab, selectmode="multiple", height=6,
                                          exportselection=False, activestyle="dotbox")
        self.components_list.grid(row=4, column=0, columnspan=2, sticky="nsew")
        name_row = ttk.Frame(tab)
        name_row.grid(row=5, column=0, columnspan=2, sticky="ew", pady=(pad, 0))
        ttk.Label(name_row, text="Name:").pack(side="left")
        self.name_entry = ttk.Entry(name_row, width=24)
        self.name_entry.pack(side="left", padx=pad)
        self.add_role = tk.StringVar(value="watch")
        for value, label in (("watch", "Watch"), ("fallback", "Fallback")):
            ttk.Radiobutton(name_row, text=label, value=value,
                            variable=self.add_role).pack(side="left", padx=(0, pad))
        self.add_button = ttk.Button(tab, text="Add to the services", command=self.add_found,
                                     state="disabled")
        self.add_button.grid(row=6, column=0, columnspan=2, sticky="e", pady=(pad, 0))
        tab.columnconfigure(0, weight=1)
        tab.rowconfigure(4, weight=1)
        return tab

    def check_url(self) -> None:
        from trayapp import addpage

        url = self.url_entry.get().strip()
        self.found = None
        self.add_button.configure(state="disabled")
        self.components_list.delete(0, "end")
        self.found_label.configure(text=f"Reading {one_line(url, 80)}…", foreground="")
        self.check_button.configure(state="disabled")
        box: list[Any] = []

        def work() -> None:
            try:
                box.append(addpage.discover(url, self.config))
            except Exception as exc:      # never a traceback in a window
                box.append(f"cannot use this page: {one_line(exc, 200)}")

        thread = threading.Thread(target=work, name="trayapp-check-url", daemon=True)
        thread.start()

        def wait() -> None:
            if thread.is_alive():
                self.root.after(50, wait)
            else:
                self.show_found(box[0])
        self.root.after(50, wait)

    def show_found(self, found: Any) -> None:
        self.check_button.configure(state="normal")
        if isinstance(found, str):
            self.found_label.configure(text=one_line(found, 300), foreground=ERROR)
            return
        self.found = found
        self.found_label.configure(text=one_line(found.summary, 300), foreground=OK)
        for name in found.components:
            self.components_list.insert("end", one_line(name, 120))
        self.name_entry.delete(0, "end")
        self.name_entry.insert(0, found.name)
        self.add_button.configure(state="normal")

    def add_found(self) -> None:
        found = self.found
        if found is None:
            return
        picked = tuple(found.components[i] for i in self.components_list.curselection())
        name = self.name_entry.get().strip() or found.name
        self.prefs = pm.add_page(self.prefs, name=name, url=found.url,
                                 platform=found.platform, components=picked,
                                 choice=self.add_role.get())
        self._fill_tree()
        self.select(self.prefs.rows[-1].sid)
        self.notebook.select(0)  # type: ignore[no-untyped-call]
        self.found, self.add_button["state"] = None, "disabled"
        self.found_label.configure(text=f"{name} added; Save to keep it.", foreground="")

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
        from trayapp import configwrite, keys

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
    from trayapp import autostart
    return autostart.is_enabled()


def _set_autostart(on: bool) -> list[str]:
    from trayapp import autostart
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
    from trayapp import configfile, configwrite

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
