"""The details window, as its own process: ``python -m trayapp.windows.details FILE``.

FILE is the JSON payload the tray wrote (deleted once read)::

    {"snapshot": {...}, "actions": [{"text", "kind", "arg"}], "banner": str | null,
     "config": path | null, "snapshot_file": path | null, "policy_file": path | null,
     "icon": [x, y, w, h] | null}

A separate process keeps Tk's main loop from fighting pystray's (each wants
the main thread) and keeps Tk's memory out of the long-running tray process.

* **Live**: every second (Tk ``after``, one ``stat`` per file) it looks at the
  tray's ``snapshot.json`` and notification state in the state dir and
  redraws in place when either changed; every 30 s anyway, for the ages.
* **One window**: the tray writes ``{"raise": true}`` on the window's stdin
  for a second click; the window raises itself (and says ``{"raised": true}``).
* Esc or Close closes it; its size and position are kept in the state dir
  (:mod:`trayapp.windows.details_place`).
* Buttons (for tray backends without a menu) report their action to the tray
  as one JSON line on stdout (``{"action", "arg"}``); ``{"shown", "text"}``
  tells the tray what the window shows (logged). Without a usable Tk, the same
  content is written as an escaped HTML page and opened in the browser.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import tempfile
import threading
import time
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from trayapp.domain.text import one_line
from trayapp.edges.winshell import prepare as prepare_windows
from trayapp.windows.details_html import dashboard_text, to_html
from trayapp.windows.details_text import Dashboard, Link, dashboard

log = logging.getLogger("trayapp.details")
POLL_MS = 1000
PAUSE_KINDS = ("pause_hour", "pause_tomorrow", "resume")
LABELS = {   # the tray's actions, named for a window where they stand alone
    "check_now": "Check now", "pause_hour": "Pause for 1 hour",
    "pause_tomorrow": "Pause until tomorrow", "resume": "Resume notifications",
    "test_notification": "Send a test notification", "open_config": "Open config file",
    "open_log": "Open log", "about": "About trayapp",
}


def emit(message: dict[str, Any]) -> None:
    try:
        print(json.dumps(message, ensure_ascii=True), flush=True)
    except (BrokenPipeError, OSError, ValueError):
        pass


def _now() -> datetime:
    return datetime.now().astimezone()


@cache
def _presets() -> dict[str, dict[str, Any]]:
    try:
        from trayapp.config import load_presets
        return load_presets()
    except (OSError, ValueError):
        return {}


def vendors_for(snap: dict[str, Any]) -> dict[str, str]:
    """Service id -> the company behind it, from the presets (by page host, or name)."""
    from trayapp.domain.text import url_host
    presets = _presets()
    by_name = {str(p.get("name")): str(p["vendor"]) for p in presets.values() if p.get("vendor")}
    by_host: dict[str, str] = {}
    for p in presets.values():
        feed = p.get("feed")
        if p.get("vendor") and isinstance(feed, dict):
            for key in ("url", "alternate"):
                if (host := url_host(feed.get(key))) is not None:
                    by_host[host] = str(p["vendor"])
    out = {}
    for s in snap.get("services") or []:
        if isinstance(s, dict):
            v = by_host.get(url_host(s.get("page_url")) or "") or by_name.get(str(s.get("name")))
            if v:
                out[str(s.get("id"))] = v
    return out


class Live:
    """The snapshot and pause state the window shows, re-read when their files change."""

    def __init__(self, payload: dict[str, Any]) -> None:
        from trayapp.edges import paths
        from trayapp.edges.snapcache import FILE_NAME
        state = paths.state_dir()
        snap = payload.get("snapshot")
        self.snap: dict[str, Any] = snap if isinstance(snap, dict) else {}
        self.snap_file = Path(str(payload.get("snapshot_file") or state / FILE_NAME))
        self.policy_file = Path(str(payload.get("policy_file") or state / "notify-state.json"))
        self.stamps = (self._stamp(self.snap_file), self._stamp(self.policy_file))
        self.paused_until = self._paused()

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _paused(self) -> datetime | None:
        from trayapp.edges.notify_memory import PolicyStore
        try:
            return PolicyStore(self.policy_file).load().paused_until
        except Exception:    # a broken state file only hides the pause line
            return None

    def changed(self) -> bool:
        """Re-read whichever file changed; True when there is something new."""
        stamps = (self._stamp(self.snap_file), self._stamp(self.policy_file))
        if stamps == self.stamps:
            return False
        old, self.stamps = self.stamps, stamps
        if stamps[0] != old[0] and stamps[0] is not None:
            from trayapp.edges import safefile, snapcache
            try:
                data = json.loads(safefile.read_bytes(self.snap_file, snapcache.FILE_LIMIT))
            except (OSError, ValueError):
                data = None
            if isinstance(data, dict) and isinstance(data.get("services"), list):
                data.pop("head", None)          # the prompt's part: the rest has it all
                self.snap = data
            else:        # half written (or broken): keep what is shown, look again
                self.stamps = (old[0], stamps[1])
        if stamps[1] != old[1]:
            self.paused_until = self._paused()
        return True

    def dashboard(self) -> Dashboard:
        return dashboard(self.snap, _now(), None, vendors_for(self.snap), self.paused_until)


def _stdin_reader(inbox: queue.Queue[str]) -> None:
    try:
        for raw in sys.stdin:
            inbox.put(raw)
    except (OSError, ValueError):
        pass


def bar_actions(payload: dict[str, Any], live: Live, send: Any) -> list[tuple[str, Any]]:
    """The action bar's buttons (tray backends without a menu), clearly named; the pause
    buttons follow the pause state as it is now."""
    acts = [a for a in payload.get("actions") or [] if isinstance(a, dict)]
    kinds = {str(a.get("kind")) for a in acts}
    out: list[tuple[str, Any]] = []
    pause_done = False
    # the tray names it with the hour it ends ("Pause until tomorrow (08:00)")
    tomorrow = next((text for a in acts if a.get("kind") == "pause_tomorrow"
                     and (text := one_line(a.get("text"), 40)).startswith(
                         LABELS["pause_tomorrow"])), LABELS["pause_tomorrow"])
    for a in acts:
        kind, arg = str(a.get("kind")), str(a.get("arg") or "")
        if kind in ("quit", "details", "open_url", "preferences"):
            continue                      # Quit and Preferences have their own places
        if kind in PAUSE_KINDS:
            if pause_done or not kinds & set(PAUSE_KINDS):
                continue
            pause_done = True
            if live.paused_until is not None and live.paused_until > _now():
                out.append((LABELS["resume"], lambda: send("resume", "")))
            else:
                out.append((LABELS["pause_hour"], lambda: send("pause_hour", "")))
                out.append((tomorrow, lambda: send("pause_tomorrow", "")))
            continue
        label = LABELS.get(kind) or one_line(a.get("text"), 40)
        out.append((label, lambda k=kind, g=arg: send(k, g)))
    return out


def show_tk(payload: dict[str, Any]) -> None:
    import tkinter as tk

    from trayapp.windows import details_place, theme, winopen
    from trayapp.windows.details_layout import Actions, DetailsView

    live = Live(payload)
    prepare_windows(sys.platform)    # DPI-aware before Tk (Windows only)
    root = tk.Tk(className="trayapp")
    theme.apply_theme(root, max(1.0, float(root.winfo_fpixels("1i")) / 96.0))
    config = payload.get("config") if isinstance(payload.get("config"), str) else None
    kinds = {str(a.get("kind")) for a in payload.get("actions") or [] if isinstance(a, dict)}
    view: DetailsView | None = None

    def say(text: str) -> None:
        emit({"failed": text})
        if view is not None:
            view.say_error(text)

    def close() -> None:
        details_place.save_geometry(root)
        root.destroy()

    def send(kind: str, arg: str) -> None:
        emit({"action": kind, "arg": arg})
        if kind == "quit":
            close()

    def open_link(link: Link) -> None:
        winopen.open_link(root, link.url, link.text, say)

    def prefs() -> None:
        winopen.open_preferences(root, config, say)

    def build() -> DetailsView:
        return DetailsView(root, Actions(open_link=open_link, bar=bar_actions(payload, live, send),
                                         quit=(lambda: send("quit", "")) if "quit" in kinds
                                         else None, close=close, prefs=prefs, change=prefs),
                           banner=one_line(payload.get("banner"), 300) or None)

    from trayapp.windows import details_history
    history = details_history.load(live.snap)
    history_at = time.monotonic()

    def text(d: Dashboard) -> str:
        return dashboard_text(d) + "".join("\n" + ln.text for ln in details_history.lines(history))

    view = build()
    view.extras = details_history.rows_for(history, view.k)
    first = live.dashboard()
    view.show(first)
    natural = view.natural_size()
    minimum = view.min_size()
    root.minsize(*minimum)
    details_place.place(root, payload, natural, minimum)
    root.protocol("WM_DELETE_WINDOW", close)
    root.bind("<Escape>", lambda _e: close())
    paused = live.paused_until

    inbox: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_stdin_reader, args=(inbox,), daemon=True).start()
    ticks = 0

    def tick() -> None:
        nonlocal ticks, paused, view, history, history_at
        ticks += 1
        while not inbox.empty():
            raw = inbox.get()
            if '"raise"' in raw:
                root.deiconify()
                root.lift()
                root.focus_force()
                emit({"raised": True})
        if live.changed() or ticks % 30 == 0:
            rebuilt = False
            if live.paused_until != paused and kinds & set(PAUSE_KINDS):
                paused = live.paused_until      # the pause buttons change: rebuild the bar
                for child in root.winfo_children():
                    child.destroy()
                view, rebuilt = build(), True
            d = live.dashboard()
            assert view is not None
            if time.monotonic() - history_at > 60:
                history, history_at = details_history.load(live.snap), time.monotonic()
                rebuilt = True
            view.extras = details_history.rows_for(history, view.k)
            if rebuilt or d != view.last:       # a new check with nothing new: no redraw
                view.show(d)
                emit({"updated": d.title, "text": text(d), "bar": view.bar_geometry()})
        root.after(POLL_MS, tick)

    def shown() -> None:
        assert view is not None
        emit({"shown": first.title, "text": text(first), "bar": view.bar_geometry(),
              "buttons": view.body_geometry(),
              "clipped": view.clipped(), "theme": theme.ACTIVE[0].name,
              "scrollbar": int(view.scroll.winfo_width()),
              "window": [root.winfo_rootx(), root.winfo_rooty(), root.winfo_width(),
                         root.winfo_height()], "frame": str(root.wm_geometry()),
              "area": list(details_place.work_area(root)), "dpi": root.winfo_fpixels("1i")})
    root.after(300, shown)
    root.after(POLL_MS, tick)
    root.lift()
    root.focus_force()
    root.mainloop()


def show_html(d: Dashboard) -> Path:
    from trayapp.edges.opener import open_path
    fd, name = tempfile.mkstemp(prefix="trayapp-details-", suffix=".html")
    with open(fd, "w", encoding="utf-8") as handle:
        handle.write(to_html(d))
    path = Path(name)
    open_path(path)
    emit({"shown": "html", "text": dashboard_text(d), "path": str(path)})
    return path


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m trayapp.windows.details PAYLOAD.json", file=sys.stderr)
        return 64
    path = Path(argv[0])
    from trayapp.edges.safefile import read_bytes
    try:
        payload = json.loads(read_bytes(path, 64 << 20))    # the tray's whole snapshot
        if not isinstance(payload, dict):
            raise ValueError("not an object")
    except (OSError, ValueError) as exc:
        print(f"trayapp details: cannot read {path} ({one_line(exc, 120)})", file=sys.stderr)
        return 1
    finally:
        path.unlink(missing_ok=True)
    os.environ.setdefault("NO_AT_BRIDGE", "1")
    try:
        show_tk(payload)
    except Exception as exc:   # no tkinter, or no display for it
        print(f"trayapp details: no window ({one_line(exc, 120)}); opening a web page",
              file=sys.stderr)
        show_html(Live(payload).dashboard())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
