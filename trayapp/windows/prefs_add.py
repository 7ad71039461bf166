"""The Preferences window's "Add a status page" tab: a URL checked on a thread
(:func:`trayapp.runtime.addpage.discover`), its components offered, the page added as
a new service row (kept only on Save).

A mixin of :class:`trayapp.windows.prefs.PrefsWindow`.
"""

from __future__ import annotations

from typing import Any

from trayapp.domain.text import one_line
from trayapp.windows import prefs_model as pm
from trayapp.windows.prefs_services import ERROR, OK, Tab


class AddTab(Tab):
    found: Any

    def _fill_tree(self) -> None:
        raise NotImplementedError

    def select(self, sid: str) -> None:
        raise NotImplementedError

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
        url = self.url_entry.get().strip()
        self.found = None
        self.add_button.configure(state="disabled")
        self.components_list.delete(0, "end")
        self.found_label.configure(text=f"Reading {one_line(url, 80)}…", foreground="")
        self.check_button.configure(state="disabled")
        self.discover_then("trayapp-check-url", "cannot use this page", self.show_found, url)

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
        self.notebook.select(0)
        self.found, self.add_button["state"] = None, "disabled"
        self.found_label.configure(text=f"{name} added; Save to keep it.", foreground="")
