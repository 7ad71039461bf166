"""The Preferences window's Services tab: the table, the selected service's
choice, fallbacks, components (typed, or picked from the page) and API key.

A mixin of :class:`trayapp.windows.prefs.PrefsWindow`; every edit goes into the
window's :mod:`trayapp.windows.prefs_model` copy, and the key into ``pending_keys``
(stored in the OS keyring on Save, never in the file).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from trayapp.config import Config, load_presets
from trayapp.domain.text import one_line
from trayapp.windows import prefs_model as pm

TREE_ROWS = 10
ERROR = "#a51d2d"
OK = "#26a269"


class Tab:
    """What every tab uses of the window (set by ``PrefsWindow.__init__``)."""

    tk: Any
    ttk: Any
    root: Any
    notebook: Any
    pad: int
    em: int
    line: int
    prefs: pm.Prefs
    config: Config

    def say(self, text: str, colour: str = "") -> None:
        raise NotImplementedError

    def discover_then(self, name: str, failed: str, done: Callable[[Any], None],
                      url: str, kind: str = "auto") -> None:
        """``addpage.discover(url, config, kind)`` on a thread (the UI stays live), then
        ``done`` on Tk's loop with what it found, or ``failed: <why>`` as one line."""
        from trayapp.runtime import addpage
        box: list[Any] = []

        def work() -> None:
            try:
                box.append(addpage.discover(url, self.config, kind))
            except Exception as exc:      # never a traceback in a window
                box.append(f"{failed}: {one_line(exc, 200)}")

        thread = threading.Thread(target=work, name=name, daemon=True)
        thread.start()

        def wait() -> None:
            if thread.is_alive():
                self.root.after(50, wait)
            else:
                done(box[0])
        self.root.after(50, wait)


class ServicesTab(Tab):
    pending_keys: dict[str, str]
    shown: str | None

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
        row = self._selected()
        feed = self._feed_of(row) if row is not None else None
        if row is None or feed is None:
            return
        self.pick_button.configure(state="disabled")
        self.say(f"Reading the status page of {row.name}…")
        sid = row.sid

        def done(found: Any) -> None:
            self.pick_button.configure(state="normal")
            self._show_picker(sid, found)
        self.discover_then("trayapp-components", "cannot read the page", done,
                           feed[1], feed[0])

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
        from trayapp.edges import keys

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
