"""The About window, as its own process: ``python -m trayapp.windows.about [--config PATH]``.

A small dialog of a fixed size (not resizable, so no maximise button) with
the app's icon: the version, what trayapp does, the licence (its SPDX name,
and its text in a window of its own, both from the installed package's
metadata), the config file and log paths (selectable, each with an Open
button), the project's link (opened through :mod:`trayapp.edges.opener`),
and the status pages it watches (from the last snapshot). Once shown it prints
one JSON line with its title, its fields' texts and its buttons (what a test reads). A file
or link that cannot be opened is said in the window, with the path,
selectable so it can be copied.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from trayapp import DIST_NAME, __version__
from trayapp.core.textclean import line
from trayapp.domain.text import safe_url
from trayapp.edges.winshell import prepare as prepare_windows

ABOUT = ("Watches AI vendors' status pages and APIs, and says what to use instead "
         "when one is down.")
PROJECT_URL = "https://github.com/trayapp/trayapp"
LICENCE_URL = f"{PROJECT_URL}/blob/main/LICENSE"


@dataclass(frozen=True, slots=True)
class AboutInfo:
    version: str
    config: Path
    log: Path
    links: tuple[tuple[str, str], ...]      # (text, url), each url http(s)
    licence: str = "MIT"                    # the SPDX expression
    licence_text: str = ""                  # the LICENSE file as installed


def licence() -> tuple[str, str]:
    """(SPDX expression, text) from the installed distribution's metadata (the first
    copy of it that has the text: a source tree's ``*.egg-info`` has none)."""
    from importlib.metadata import distributions
    name, text = "MIT", ""
    for dist in distributions(name=DIST_NAME):
        name = (dist.metadata.get_all("License-Expression") or [name])[0]
        if text := dist.read_text("licenses/LICENSE") or "":
            break
    return name, text or f"The licence text was not installed with this copy: {LICENCE_URL}"


def about_info(config: Path | None, snapshot: dict[str, object] | None) -> AboutInfo:
    """What the window shows. Pure apart from the platform's default paths."""
    from trayapp.edges import paths
    links = []
    services = snapshot.get("services") if isinstance(snapshot, dict) else None
    for s in services if isinstance(services, list) else []:
        if isinstance(s, dict) and (url := safe_url(s.get("page_url"))):
            links.append((f"{line(s.get('name'), 40)} status page", url))
    return AboutInfo(__version__, config or paths.config_file(),
                     paths.log_dir() / "trayapp.log", tuple(links[:8]), *licence())


def _click(root: Any, url: str, text: str, say: Callable[[str], None], _event: object) -> None:
    from trayapp.windows import winopen
    winopen.open_link(root, url, text, say)


def show_licence(root: Any, info: AboutInfo) -> None:
    """The licence text, read-only and selectable, in a window of its own."""
    import tkinter as tk

    top = tk.Toplevel(root)
    top.title(f"trayapp licence ({info.licence})")
    text = tk.Text(top, width=80, height=24, wrap="word")
    text.insert("1.0", info.licence_text)
    text.configure(state="disabled")
    text.pack(fill="both", expand=True)
    top.bind("<Escape>", lambda _e: top.destroy())
    print(json.dumps({"licence_shown": top.title(), "text": text.get("1.0", "end-1c")},
                     ensure_ascii=True), flush=True)


def app_icon(root: Any, size: int) -> Any:
    """The tray's glyph (operational) as a Tk image, from PNG bytes (no ImageTk)."""
    import base64
    import io
    import tkinter as tk

    from trayapp.domain.levels import Level
    from trayapp.icon import render_icon
    data = io.BytesIO()
    render_icon(Level.OPERATIONAL, size=max(16, size)).save(data, "PNG")
    return tk.PhotoImage(master=root, data=base64.b64encode(data.getvalue()))


def show(info: AboutInfo) -> None:
    import tkinter as tk
    from tkinter import ttk

    from trayapp.windows import winopen
    from trayapp.windows.details_layout import geometry, scale_fonts

    prepare_windows(sys.platform)    # DPI-aware before Tk (Windows only)
    root = tk.Tk(className="trayapp")
    root.title(f"About trayapp {info.version}")
    k = scale_fonts(root)
    from trayapp.windows.theme import apply_theme
    apply_theme(root, k)
    pad = round(10 * k)
    icon = app_icon(root, round(48 * k))
    root.iconphoto(True, icon)
    body = ttk.Frame(root, padding=pad)
    body.pack(fill="both", expand=True)
    ttk.Label(body, image=icon).grid(row=0, column=0, rowspan=2, sticky="nw",
                                     padx=(0, pad))
    ttk.Label(body, text=f"trayapp {info.version}", font=("TkHeadingFont", 0, "bold")
              ).grid(row=0, column=1, columnspan=2, sticky="w")
    ttk.Label(body, text=ABOUT, wraplength=round(420 * k), justify="left").grid(
        row=1, column=1, columnspan=2, sticky="w", pady=(0, pad))
    error = tk.StringVar(root)
    err_box = ttk.Entry(body, textvariable=error, state="readonly")
    buttons: list[ttk.Button] = []

    def say(text: str) -> None:
        print(json.dumps({"failed": text}, ensure_ascii=True), flush=True)
        error.set(text)
        err_box.grid(row=99, column=0, columnspan=3, sticky="ew", pady=(pad, 0))

    fields: dict[str, Any] = {}
    for row, (name, path) in enumerate((("Config file", info.config),
                                        ("Log file", info.log)), start=2):
        ttk.Label(body, text=name + ":").grid(row=row, column=0, sticky="w")
        # the text itself, not a Tk variable: a variable made in a loop and not kept
        # was garbage-collected, and its entry showed empty
        entry = ttk.Entry(body, width=44)
        entry.insert(0, str(path))
        entry.configure(state="readonly")
        entry.grid(row=row, column=1, sticky="ew", padx=round(4 * k))
        fields[name] = entry
        buttons.append(ttk.Button(body, text="Open",
                                  command=partial(winopen.open_file, root, path, say)))
        buttons[-1].grid(row=row, column=2, sticky="e")
    ttk.Label(body, text="Licence:").grid(row=4, column=0, sticky="w")
    ttk.Label(body, text=info.licence).grid(row=4, column=1, sticky="w", padx=round(4 * k))
    buttons.append(ttk.Button(body, text="Show", command=partial(show_licence, root, info)))
    buttons[-1].grid(row=4, column=2, sticky="e")
    ttk.Label(body, text="Project:").grid(row=5, column=0, sticky="w")
    project = ttk.Label(body, text=PROJECT_URL, foreground="#1a5fb4", cursor="hand2",
                        takefocus=True)
    project.grid(row=5, column=1, columnspan=2, sticky="w", padx=round(4 * k))
    project.bind("<Button-1>", partial(_click, root, PROJECT_URL, "Project", say))
    project.bind("<Return>", partial(_click, root, PROJECT_URL, "Project", say))
    for row, (text, url) in enumerate(info.links, start=6):
        link = ttk.Label(body, text=text, foreground="#1a5fb4", cursor="hand2")
        link.grid(row=row, column=0, columnspan=3, sticky="w")
        link.bind("<Button-1>", partial(_click, root, url, text, say))
    buttons.append(ttk.Button(body, text="Close", command=root.destroy))
    buttons[-1].grid(row=98, column=2, sticky="e", pady=(pad, 0))
    body.columnconfigure(1, weight=1)
    root.bind("<Escape>", lambda _e: root.destroy())
    root.update_idletasks()
    root.resizable(False, False)        # a dialog: its size is its content's

    def shown() -> None:
        texts = {name: entry.get() for name, entry in fields.items()}
        texts.update(Licence=info.licence, Project=str(project.cget("text")))
        print(json.dumps({"shown": root.title(), "buttons": geometry(root, buttons),
                          "fields": texts, "resizable": list(root.resizable()),
                          "icon": [icon.width(), icon.height()],
                          "window": [root.winfo_rootx(), root.winfo_rooty(),
                                     root.winfo_width(), root.winfo_height()]}), flush=True)
    root.after(300, shown)
    root.lift()
    root.mainloop()


def main(argv: list[str]) -> int:
    config: Path | None = None
    if len(argv) == 2 and argv[0] == "--config":
        config = Path(argv[1])
    elif argv:
        print("usage: python -m trayapp.windows.about [--config PATH]", file=sys.stderr)
        return 64
    from trayapp.edges import snapcache
    info = about_info(config, snapcache.load())
    try:
        show(info)
    except Exception as exc:      # no tkinter or no display
        print(f"trayapp {info.version}: {ABOUT}\nLicence: {info.licence}\nConfig: {info.config}"
              f"\nLog: {info.log}\n(no window: {line(exc, 120)})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
