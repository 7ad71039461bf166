"""The About window, as its own process: ``python -m trayapp.windows.about [--config PATH]``.

A small window: the version, what trayapp does, the licence (its SPDX name,
and its text in a window of its own, both from the installed package's
metadata), the config file and log paths (selectable, each with an Open
button), and the status pages it watches (from the last snapshot). A file
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
LICENCE_URL = "https://github.com/trayapp/trayapp/blob/main/LICENSE"


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


def show(info: AboutInfo) -> None:
    import tkinter as tk
    from tkinter import ttk

    from trayapp.windows import winopen
    from trayapp.windows.details_layout import geometry, scale_fonts

    prepare_windows(sys.platform)    # DPI-aware before Tk (Windows only)
    root = tk.Tk(className="trayapp")
    root.title(f"About trayapp {info.version}")
    k = scale_fonts(root)
    pad = round(10 * k)
    body = ttk.Frame(root, padding=pad)
    body.pack(fill="both", expand=True)
    ttk.Label(body, text=f"trayapp {info.version}", font=("TkHeadingFont", 0, "bold")
              ).grid(row=0, column=0, columnspan=3, sticky="w")
    ttk.Label(body, text=ABOUT, wraplength=round(420 * k), justify="left").grid(
        row=1, column=0, columnspan=3, sticky="w", pady=(0, pad))
    error = tk.StringVar(root)
    err_box = ttk.Entry(body, textvariable=error, state="readonly")
    buttons: list[ttk.Button] = []

    def say(text: str) -> None:
        print(json.dumps({"failed": text}, ensure_ascii=True), flush=True)
        error.set(text)
        err_box.grid(row=99, column=0, columnspan=3, sticky="ew", pady=(pad, 0))

    for row, (name, path) in enumerate((("Config file", info.config),
                                        ("Log file", info.log)), start=2):
        ttk.Label(body, text=name + ":").grid(row=row, column=0, sticky="w")
        value = tk.StringVar(root, str(path))
        ttk.Entry(body, textvariable=value, state="readonly", width=44).grid(
            row=row, column=1, sticky="ew", padx=round(4 * k))
        buttons.append(ttk.Button(body, text="Open",
                                  command=partial(winopen.open_file, root, path, say)))
        buttons[-1].grid(row=row, column=2, sticky="e")
    ttk.Label(body, text="Licence:").grid(row=4, column=0, sticky="w")
    ttk.Label(body, text=info.licence).grid(row=4, column=1, sticky="w", padx=round(4 * k))
    buttons.append(ttk.Button(body, text="Show", command=partial(show_licence, root, info)))
    buttons[-1].grid(row=4, column=2, sticky="e")
    for row, (text, url) in enumerate(info.links, start=5):
        link = ttk.Label(body, text=text, foreground="#1a5fb4", cursor="hand2")
        link.grid(row=row, column=0, columnspan=3, sticky="w")
        link.bind("<Button-1>", partial(_click, root, url, text, say))
    buttons.append(ttk.Button(body, text="Close", command=root.destroy))
    buttons[-1].grid(row=98, column=2, sticky="e", pady=(pad, 0))
    body.columnconfigure(1, weight=1)
    root.bind("<Escape>", lambda _e: root.destroy())
    root.update_idletasks()
    root.minsize(root.winfo_reqwidth(), root.winfo_reqheight())

    def shown() -> None:
        print(json.dumps({"shown": root.title(), "buttons": geometry(root, buttons),
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
