"""The tray application: wires the poll loop, the icon, the menu, notifications and details.

Threads and processes:

* main thread: pystray's ``Icon.run()`` (X event loop or GTK main loop);
  menu callbacks run here and only do quick things;
* ``poller``: :class:`trayapp.runtime.engine.Runner` (blocking; each cycle fans its
  requests out to short-lived threads); each result is
  handled on that thread (policy, config reload, icon/tooltip/menu update:
  pystray marshals those onto its own loop);
* ``notifier``: delivers notifications from a queue; a service notification with
  actions has a ``notify-wait-*`` thread that runs the chosen one ("Details",
  "Open status page");
* the details window: a child process (:mod:`trayapp.tray.details_proc`)
  with one reader thread for its stdout (button actions, "shown").
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trayapp.config import Config
from trayapp.core import policy
from trayapp.core.monitor import StepResult
from trayapp.domain.levels import Level
from trayapp.domain.model import Snapshot
from trayapp.domain.text import one_line
from trayapp.edges import heap, paths
from trayapp.edges.notify_memory import PolicyStore
from trayapp.edges.selfrun import module_argv
from trayapp.tray import children
from trayapp.tray.appfiles import autostart_module, level_icon_file, private_dir
from trayapp.tray.backend import Backend
from trayapp.tray.configwatch import ConfigWatcher
from trayapp.tray.details_proc import DetailsWindow
from trayapp.tray.menu import Act, Action, Item, MenuState, build_menu, flat_actions
from trayapp.tray.menuview import MenuView
from trayapp.tray.notifier import Notifier
from trayapp.tray.notify_actions import NoteAction, service_actions
from trayapp.tray.tooltip import checking, tooltip

log = logging.getLogger(__name__)
ICON_SIZE = 64


def _paint(state: tuple[Level, frozenset[str]], side: int) -> Any:
    """One icon state at ``side`` pixels, corners transparent (the gtk backends)."""
    from trayapp.icon import render_icon
    return render_icon(state[0], state[1], side)


def now_utc() -> datetime:
    return datetime.now(UTC)


class TrayApp:
    def __init__(self, config: Config, backend: Backend, config_path: Path | None,
                 banner: str | None = None) -> None:
        from trayapp.edges.state import StateStore
        from trayapp.runtime.engine import Runner

        self.config = config
        self.banner = banner            # the first-run welcome, shown once at start
        self.backend = backend
        self.lock = threading.RLock()
        self.snapshot: Snapshot | None = None
        self.watcher = ConfigWatcher(config_path)
        self.config_path = config_path or paths.config_file()
        state = paths.state_dir()
        self.store = PolicyStore(state / "notify-state.json")
        self.policy_state = self.store.load()
        self.settings = policy.Settings.from_config(config)
        self.checking: str | None = None    # why the last level is being checked again
        self.runner = Runner(config, self.on_result, store=StateStore(state / "tray-state.json"),
                             on_checking=self.on_checking)
        self.details = DetailsWindow(self.details_payload, lambda a: self._callback(a)(),
                                     died=self._child_died)
        self._shown_image = b""
        self._held: frozenset[policy.Hold] = frozenset()    # logged once, not per poll
        self.autostart: Any = autostart_module()
        self.menu = MenuView(backend, self._callback)
        self.icon: Any = backend.icon_class(
            "trayapp", icon=self._image(), title=self._tooltip(),
            menu=self.menu.build(self.menu_items()))
        if hasattr(self.icon, "renderer"):      # xorg, win32, darwin: drawn at the tray's size
            self.icon.renderer = lambda side: self._image(side, flat=False)
        if hasattr(self.icon, "painter"):       # gtk, appindicator: every size of a state
            self.icon.icon_state = self._icon_state()
            self.icon.painter = _paint
        self.notifier = Notifier(
            backend.platform, self.icon.notify if backend.has_notification else None,
            icons=lambda level: level_icon_file(state, level))

    # ----------------------------------------------------------------- views
    def _now(self) -> datetime:
        return now_utc()

    def _paused(self) -> bool:
        return policy.is_paused(self.policy_state, self._now())

    def _image(self, size: int = ICON_SIZE, flat: bool = True) -> Any:
        from trayapp.icon import render_icon
        level, marks = self._icon_state()
        return render_icon(level, marks, size,
                           background=self.backend.background if flat else None)

    def _icon_state(self) -> tuple[Level, frozenset[str]]:
        """The level and marks the icon shows."""
        snap = self.snapshot
        marks = set()
        if snap is not None and snap.offline:
            marks.add("offline")
        if self._paused():
            marks.add("paused")
        if snap is not None and not snap.offline and any(s.probe_disagrees for s in snap.watched):
            marks.add("disagree")
        level = snap.overall if snap is not None and self.checking is None else Level.UNKNOWN
        return level, frozenset(marks)

    def _tooltip(self) -> str:
        if self.checking is not None:
            return checking(self.snapshot, self.checking, self._now(), self.backend.tooltip_limit)
        return tooltip(self.snapshot, self._now(), self.backend.tooltip_limit, self._paused())

    def menu_items(self) -> tuple[Item, ...]:
        from trayapp.tray.appfiles import autostart_state
        enabled = autostart_state(self.autostart)
        fallbacks = tuple(dict.fromkeys(
            f for s in self.config.services if s.role == "watch" for f in s.fallbacks))
        state = MenuState(paused_until=self.policy_state.paused_until, autostart=enabled,
                          local_ids=self.settings.local_ids, fallback_ids=fallbacks,
                          tomorrow=policy.pause_until(self._now(), "tomorrow", self.settings))
        return build_menu(self.snapshot, state, self._now())

    def _callback(self, action: Action) -> Any:
        def run(_icon: Any = None, _item: Any = None) -> None:
            try:
                self.do(action)
            except Exception as exc:   # a menu action must never kill the tray
                log.warning("%s failed: %s", action.kind, one_line(exc, 200))
        return run

    def refresh(self) -> None:
        with self.lock:
            image, title = self._image(), self._tooltip()
            state = self._icon_state()
            items = self.menu_items()
        try:
            if image.tobytes() != self._shown_image:
                self._shown_image = image.tobytes()
                if hasattr(self.icon, "painter"):
                    self.icon.icon_state = state
                self.icon.icon = image
            if title != self.icon.title:
                self.icon.title = title
            self.menu.update(self.icon, items)
        except Exception as exc:
            log.warning("cannot update the tray icon (%s)", one_line(exc, 200))

    # ----------------------------------------------------------------- worker
    def on_result(self, result: StepResult) -> None:
        """Called on the poller thread after each cycle."""
        new_config, error = self.watcher.check()
        if error:
            log.warning("config not reloaded: %s", one_line(error, 300))
            self.notifier.send("trayapp: configuration not reloaded",
                               f"{error}\nStill using the last good configuration.")
        elif new_config is not None:
            log.info("configuration reloaded from %s", new_config.source)
            with self.lock:
                self.config = new_config
                self.settings = policy.Settings.from_config(new_config)
            self.runner.reconfigure(new_config)
        with self.lock:
            self.snapshot, self.checking = result.snapshot, None
            decision = policy.decide(result.events, result.snapshot, self.policy_state,
                                     self.settings, self._now())
            self.policy_state = decision.state
            self.store.save(self.policy_state)
            held, self._held = policy.fresh_holds(decision, result.snapshot, self._held)
        for sid, why, _level in held:
            log.info("notification for %s held back (%s)", sid, why)
        for n in decision.notifications:
            urgency = ("critical" if n.level is Level.MAJOR_OUTAGE and n.kind == "problem"
                       else "normal")
            self.notifier.send(n.title, n.body, key=n.service, urgency=urgency,
                               actions=self._note_actions(n.service), level=n.level)
        self.refresh()
        heap.release()     # this cycle's garbage (and, the first time, start-up's)

    def on_checking(self, why: str) -> None:
        """Called on the poller thread just before the poll after a sleep or a network
        change: the icon stops showing a level from before it."""
        with self.lock:
            self.checking = why
        self.refresh()

    def _note_actions(self, service_id: str) -> tuple[NoteAction, ...]:
        """A service notification's "Details" and (a safe link only) "Open status page";
        both run on that notification's waiter thread."""
        from trayapp.edges.opener import open_url
        with self.lock:
            return service_actions(self.snapshot, self.config, service_id,
                                   self.open_details,
                                   lambda url: open_url(url, failed=self._open_failed))

    # ----------------------------------------------------------------- actions
    def do(self, action: Action) -> None:
        from trayapp.edges.opener import open_path, open_url
        kind = action.kind
        if kind is Act.DETAILS:
            self.open_details()
        elif kind is Act.OPEN_URL:
            open_url(action.arg, failed=self._open_failed)
        elif kind is Act.CHECK_NOW:
            self.runner.request_poll()
        elif kind in (Act.PAUSE_HOUR, Act.PAUSE_TOMORROW, Act.RESUME):
            how = {Act.PAUSE_HOUR: "hour", Act.PAUSE_TOMORROW: "tomorrow"}.get(kind, "")
            with self.lock:
                until = policy.pause_until(self._now(), how, self.settings)
                self.policy_state = replace(self.policy_state, paused_until=until)
                self.store.save(self.policy_state)
            log.info("notifications %s", f"paused until {until.isoformat()}" if until
                     else "resumed")
            self.refresh()
        elif kind is Act.AUTOSTART:
            self.toggle_autostart()
        elif kind is Act.PREFERENCES:
            self.open_preferences()
        elif kind is Act.TEST_NOTIFICATION:
            with self.lock:
                title, body = policy.trial_note(self.snapshot, self.settings)
            self.notifier.send(title, body, key="trayapp-test")
        elif kind is Act.OPEN_CONFIG:
            from trayapp.tray.appfiles import written_config
            open_path(written_config(self.config_path, self.config), failed=self._open_failed)
        elif kind is Act.OPEN_LOG:
            open_path(self.log_file, failed=self._open_failed)
        elif kind is Act.ABOUT:
            argv = module_argv("trayapp.windows.about", "--config", str(self.config_path))
            children.start(argv, "About", self.log_file, self._child_died)
        elif kind is Act.QUIT:
            self.quit()

    def _open_failed(self, message: str) -> None:
        """A file or link from the menu could not be opened: say so, with the path."""
        self.notifier.send("trayapp: could not open", message, key="trayapp-open")

    def open_preferences(self) -> None:
        """``trayapp preferences`` in its own process (no shell), for this config."""
        argv = module_argv("trayapp", "preferences")
        if self.watcher.path is not None:
            argv += ["--config", str(self.watcher.path)]
        children.start(argv, "Preferences", self.log_file, self._child_died,
                       start_new_session=True)

    @property
    def log_file(self) -> Path:
        return paths.log_dir() / "trayapp.log"

    def _child_died(self, message: str) -> None:
        """A window's process died before it showed: said, with the log's path."""
        self.notifier.send("trayapp: a window did not open", message, key="trayapp-child")

    def toggle_autostart(self) -> None:
        if self.autostart is None:
            return
        try:
            if self.autostart.is_enabled():
                self.autostart.disable()
            else:
                self.autostart.enable()
        except self.autostart.AutostartError as exc:
            self.notifier.send("trayapp: start at login", one_line(exc, 200))
        self.refresh()

    def details_payload(self) -> dict[str, Any]:
        from trayapp.core.render import snapshot_json
        with self.lock:
            snap = snapshot_json(self.snapshot) if self.snapshot is not None else {}
            actions = [] if self.backend.has_menu else [
                {"text": i.text + ("" if i.checked is None else (" (on)" if i.checked
                                                                 else " (off)")),
                 "kind": str(i.action.kind), "arg": i.action.arg}
                for i in flat_actions(self.menu_items()) if i.action is not None]
        banner, self.banner = self.banner, None                 # shown once
        where = getattr(self.icon, "screen_rect", None)   # xorg: where the icon is
        return {"snapshot": snap, "actions": actions, "config": str(self.config_path),
                "icon": where() if callable(where) else None,
                "banner": banner}

    def open_details(self) -> None:
        self.details.open()

    # ----------------------------------------------------------------- lifecycle
    def _setup(self, icon: Any) -> None:
        from trayapp.core.trayhost import no_tray_reason
        from trayapp.edges import trayhost
        name = self.backend.name
        why = None if self.backend.platform in ("win32", "darwin") else no_tray_reason(
            name, trayhost.xembed_host(),
            trayhost.watcher_on_bus() if name == "appindicator" else None)
        if why:         # keep polling and notifying; the icon when a tray appears
            log.warning("%s", why)
            threading.Thread(target=self._show_when_tray, name="tray-watch", daemon=True).start()
        else:
            icon.visible = True
            self.menu.patch(icon)       # hide the empty slots of the first menu
        threading.Thread(target=self._poll, name="poller", daemon=True).start()
        if self.banner:                 # first run: say what is watched, never silently
            self.open_details()

    def _show_when_tray(self) -> None:
        from trayapp.edges import trayhost
        if trayhost.wait_for_xembed():
            log.warning("a system tray appeared: showing the icon")
            self.icon.visible = True
            title = self.icon.title         # pystray sends no title while hidden:
            self.icon.title = ""            # a change now sends the current one
            self.icon.title = title
            self.menu.patch(self.icon)

    def _poll(self) -> None:
        try:
            self.runner.run()
        except Exception as exc:
            log.error("the poll loop stopped: %s", one_line(exc, 200))

    def quit(self) -> None:
        self.runner.stop()
        self.details.close()
        self.icon.stop()

    def run(self) -> int | str:
        log.info("tray started (backend %s, menu %s)", self.backend.name,
                 "yes" if self.backend.has_menu else "no: click opens the details window")
        import signal
        signal.signal(signal.SIGTERM, lambda _s, _f: self.quit())
        try:
            self.icon.run(setup=self._setup)
        except Exception as exc:     # e.g. the gtk backend without a session D-Bus
            self.runner.stop()
            return f"the tray backend stopped ({one_line(exc, 200)})"
        finally:
            self.runner.stop()
            self.notifier.close()
        return 0


def run(config: Config, args: argparse.Namespace) -> int | str:
    """The tray, until Quit: an exit code; or a one-line reason when no tray can be shown."""
    from trayapp.core.welcome import first_run_banner
    from trayapp.edges import instance, winshell
    from trayapp.edges.configfile import locate
    from trayapp.tray.backend import load

    heap.single_arena()     # before any thread starts: poll threads share one C heap
    lock_dir = private_dir()
    try:
        lock = instance.acquire(lock_dir)
    except Exception as exc:
        log.warning("single-instance lock unavailable (%s)", one_line(exc, 200))
        lock = None
    else:
        if lock is None:
            print(instance.already_running_message(lock_dir), file=sys.stderr)
            return 1
    winshell.prepare(sys.platform)      # Windows: DPI-aware, trayapp's app id; before any window
    backend = load()
    if isinstance(backend, str):
        if lock is not None:
            lock.release()
        return backend
    path, explicit = locate(getattr(args, "config", None))
    watch_path = path if (explicit or path.exists()) else None
    try:
        app = TrayApp(config, backend, watch_path, first_run_banner(config, path, explicit))
    except Exception as exc:
        if lock is not None:
            lock.release()
        return f"the tray icon cannot be created ({one_line(exc, 200)})"
    try:
        return app.run()
    finally:
        if lock is not None:
            lock.release()
