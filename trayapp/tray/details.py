"""The incident-details window, as its own process: ``python -m trayapp.tray.details FILE``.

FILE is the JSON payload the tray wrote (the snapshot, action buttons); it
is deleted once read. A separate process keeps Tk's main loop from fighting
pystray's (each wants the main thread) and keeps Tk's memory out of the
long-running tray process; the window lives only while it is open.

The window shows :func:`details_lines` in a read-only Tk Text widget: feed
text is inserted as text, never markup. Links open only when http(s).
Buttons (for tray backends without a menu) report their action to the tray
as one JSON line on stdout; the tray also logs the window's text from the
``shown`` line. Without a usable Tk, the same lines are written as an
escaped HTML page and opened in the browser.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trayapp.levels import Level
from trayapp.text import one_line, safe_url
from trayapp.tray import history_strip
from trayapp.tray.details_text import Line, details_lines, plain_text, to_html, window_title

log = logging.getLogger("trayapp.details")
BUTTONS_PER_ROW = 5


def emit(message: dict[str, Any]) -> None:
    try:
        print(json.dumps(message, ensure_ascii=True), flush=True)
    except (BrokenPipeError, OSError):
        pass


def _hex(level: Level) -> str:
    from trayapp.icon import LEVEL_COLOURS
    r, g, b = LEVEL_COLOURS[level]
    return f"#{r:02x}{g:02x}{b:02x}"


def show_tk(payload: dict[str, Any], lines: list[Line],
            history: list[history_strip.ServiceHistory] | None = None) -> None:
    import tkinter as tk
    from tkinter import ttk

    root = tk.Tk(className="trayapp-details")
    title = window_title(payload)
    root.title(title)
    root.geometry("640x520")
    frame = ttk.Frame(root, padding=6)
    frame.pack(fill="both", expand=True)
    text = tk.Text(frame, wrap="word", borderwidth=0, highlightthickness=0,
                   padx=8, pady=6, cursor="arrow", font="TkDefaultFont")
    bar = ttk.Scrollbar(frame, command=text.yview)
    text.configure(yscrollcommand=bar.set)
    bar.pack(side="right", fill="y")
    text.pack(side="left", fill="both", expand=True)
    text.tag_configure("title", font=("TkDefaultFont", 14, "bold"), spacing3=6)
    text.tag_configure("heading", font=("TkDefaultFont", 11, "bold"), spacing1=8)
    text.tag_configure("level", font=("TkDefaultFont", 12, "bold"), spacing1=10)
    text.tag_configure("muted", foreground="#555555")
    text.tag_configure("body", lmargin1=12, lmargin2=12)
    for level in Level:
        text.tag_configure(f"lvl-{level}", foreground=_hex(level))
    for i, line in enumerate(lines):
        tags: tuple[str, ...] = (line.style,)
        if line.url:
            tag = f"link{i}"
            url = line.url
            text.tag_configure(tag, foreground="#1a5fb4", underline=True)
            text.tag_bind(tag, "<Button-1>", _opener(url))
            tags = ("body", tag)
        if line.level is not None:
            text.insert("end", "● ", (f"lvl-{line.level}", line.style))
        text.insert("end", line.text + "\n", tags)
    if history:
        history_strip.insert_into(text, history)
    text.configure(state="disabled")

    buttons = ttk.Frame(root, padding=(6, 0, 6, 6))
    buttons.pack(fill="x")
    actions = [a for a in payload.get("actions") or [] if isinstance(a, dict)]
    for n, action in enumerate(actions):
        label = one_line(action.get("text"), 40)
        kind, arg = str(action.get("kind")), str(action.get("arg") or "")

        def press(k: str = kind, a: str = arg) -> None:
            emit({"action": k, "arg": a})
            if k == "quit":
                root.destroy()
        ttk.Button(buttons, text=label, command=press).grid(
            row=n // BUTTONS_PER_ROW, column=n % BUTTONS_PER_ROW, padx=2, pady=2, sticky="ew")
    n = len(actions)
    ttk.Button(buttons, text="Close", command=root.destroy).grid(
        row=n // BUTTONS_PER_ROW, column=n % BUTTONS_PER_ROW, padx=2, pady=2, sticky="ew")

    def shown() -> None:
        emit({"shown": title, "text": plain_text(lines + history_strip.lines(history))})
    root.after(200, shown)
    root.lift()
    root.mainloop()


def _opener(url: str) -> Callable[[object], None]:
    def click(_event: object) -> None:
        from trayapp.tray.opener import open_url
        if safe_url(url):
            open_url(url)
    return click


def show_html(lines: list[Line]) -> Path:
    from trayapp.tray.opener import open_path
    fd, name = tempfile.mkstemp(prefix="trayapp-details-", suffix=".html")
    with open(fd, "w", encoding="utf-8") as handle:
        handle.write(to_html(lines))
    path = Path(name)
    open_path(path)
    emit({"shown": "html", "text": plain_text(lines), "path": str(path)})
    return path


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m trayapp.tray.details PAYLOAD.json", file=sys.stderr)
        return 64
    path = Path(argv[0])
    try:
        payload = json.loads(path.read_bytes())
        if not isinstance(payload, dict):
            raise ValueError("not an object")
    except (OSError, ValueError) as exc:
        print(f"trayapp details: cannot read {path} ({one_line(exc, 120)})", file=sys.stderr)
        return 1
    finally:
        path.unlink(missing_ok=True)
    lines = details_lines(payload)
    history = history_strip.load(payload)
    try:
        show_tk(payload, lines, history)
    except Exception as exc:   # no tkinter, or no display for it
        print(f"trayapp details: no window ({one_line(exc, 120)}); opening a web page",
              file=sys.stderr)
        show_html(lines + history_strip.lines(history))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
