"""Delivering notifications: the platform's own, else plyer, else the tray icon's ``notify``.

Never blocks the UI. On macOS ``osascript`` (:mod:`trayapp.tray.notify_mac`), on
Windows WinRT toasts (:mod:`trayapp.tray.notify_win`), on Linux ``notify-send``
(below); plyer stays the last fallback everywhere.

Notifications go through a small queue to one worker thread, so neither the
poll loop nor the UI thread ever waits for ``notify-send`` or D-Bus. Text is
made safe per platform (:mod:`trayapp.tray.notify_text`). A delivery
problem is logged once and never raised.

plyer on Linux uses dbus-python when importable, else runs ``notify-send``
(whose failures plyer swallows, and whose notifications plyer makes sticky
with ``-t 0``). So on Linux without dbus-python, trayapp calls plyer's
notify-send implementation with an expiry; where neither dbus-python nor
``notify-send`` exists, the icon's ``notify`` (gtk backend) is used instead.

Where ``notify-send`` has ``--print-id``/``--replace-id`` (libnotify 0.7.10 and
later; Debian 12 has 0.8.1), it is run directly, without a shell and with the
text after ``--``: with the icon of the level it announces, the urgency (critical for a major
outage) and the id of the same service's previous notification, so a
flapping service leaves one notification on screen instead of a stack.

A service's notification also offers actions ("Details", "Open status page":
:mod:`trayapp.tray.notify_actions`) where the server advertises them and
``notify-send`` has ``--action``: it then waits for the notification to
close, so it runs under ``stdbuf -oL`` (its id is printed at once, not at
exit) and a waiter thread, never this worker, reads the chosen action.
Without gdbus/dbus-send, stdbuf or the capability, it is sent as before.
"""

from __future__ import annotations

import importlib.util
import logging
import queue
import shutil
import subprocess
import threading
import warnings
from collections.abc import Callable
from typing import Any

from trayapp.domain.levels import Level
from trayapp.domain.text import one_line
from trayapp.tray.notify_actions import Capabilities, NoteAction, Waiters, read_id
from trayapp.tray.notify_mac import OsaScript
from trayapp.tray.notify_text import for_platform
from trayapp.tray.notify_win import Toasts, WinRtToasts, toast_tag, toast_xml

log = logging.getLogger(__name__)
APP_NAME = "trayapp"
EXPIRE_MS = 15000
ID_TIMEOUT = 10.0               # seconds for a waiting notify-send to print its id


def plyer_can_deliver(platform: str) -> bool:
    if platform.startswith("linux") or platform.startswith("freebsd"):
        return importlib.util.find_spec("dbus") is not None or bool(shutil.which("notify-send"))
    return True


_HELP: dict[str, str] = {}


def _help(program: str) -> str:
    if program not in _HELP:
        try:
            _HELP[program] = subprocess.run(
                [program, "--help"], check=False, capture_output=True, text=True, timeout=5,
                stdin=subprocess.DEVNULL).stdout
        except (OSError, subprocess.SubprocessError):
            _HELP[program] = ""
    return _HELP[program]


def notify_send_replaces(program: str) -> bool:
    """Whether this ``notify-send`` can print and replace notification ids."""
    helptext = _help(program)
    return "--print-id" in helptext and "--replace-id" in helptext


def notify_send_actions(program: str) -> bool:
    """Whether this ``notify-send`` has ``--action`` (libnotify 0.7.10 and later)."""
    return "--action" in _help(program)


def notify_send_argv(program: str, title: str, body: str, urgency: str, icon_path: str = "",
                     replace_id: int | None = None, actions: tuple[NoteAction, ...] = (),
                     stdbuf: str | None = None) -> list[str]:
    """notify-send's argv (never a shell; the text after ``--``); with ``actions``,
    under ``stdbuf -oL`` so the id line arrives while it waits."""
    argv = [program, f"--app-name={APP_NAME}", f"--urgency={urgency}",
            f"--expire-time={EXPIRE_MS}", "--print-id"]
    if icon_path:
        argv.append(f"--icon={icon_path}")
    if replace_id:
        argv.append(f"--replace-id={replace_id}")
    if actions:
        argv += [f"--action={a.name}={a.label}" for a in actions]
        if stdbuf:
            argv = [stdbuf, "-oL", *argv]
    return [*argv, "--", title, body]


# title, body, key, urgency, actions, the level announced (None: trayapp's own message)
Queued = tuple[str, str, str, str, tuple[NoteAction, ...], Level | None]


class Notifier:
    """``icons``: a level's icon file (None: no level); a notification's icon is the
    icon of the level it announces. ``icon_path``: one icon for every notification
    (used when ``icons`` is not given)."""

    def __init__(self, platform: str, icon_notify: Callable[[str, str], None] | None = None,
                 icon_path: str = "", capabilities: Capabilities | None = None,
                 icons: Callable[[Level | None], str] | None = None,
                 toasts: Toasts | None = None) -> None:
        self.platform = platform
        self.osascript = OsaScript()
        self.toasts: Toasts | None = toasts
        if toasts is None and platform == "win32":    # trayapp's icon: the operational one
            self.toasts = WinRtToasts(lambda: icon_path or (
                icons(Level.OPERATIONAL) if icons is not None else ""))
        self.icon_notify = icon_notify
        self.icon_path = icon_path
        self.icons = icons
        self.capabilities = capabilities or Capabilities()
        self.waiters = Waiters()
        self._queue: queue.Queue[Queued | None] = queue.Queue(maxsize=50)
        self._warned: set[str] = set()
        self._ids: dict[str, int] = {}        # key (a service id) -> its last notification
        self._no_wait = False                 # a waiting notify-send did not print its id
        self._thread = threading.Thread(target=self._loop, name="notifier", daemon=True)
        self._thread.start()

    def send(self, title: str, body: str, key: str = "", urgency: str = "normal",
             actions: tuple[NoteAction, ...] = (), level: Level | None = None) -> None:
        """Queue a notification; one with the same ``key`` replaces the previous one
        where the server allows. ``urgency``: low, normal or critical. ``actions``
        are offered where the server can (only for a notification with a ``key``).
        ``level``: the level it announces, whose icon it carries."""
        try:
            self._queue.put_nowait((*for_platform(title, body, self.platform), key, urgency,
                                    actions, level))
        except queue.Full:
            self._warn_once("full", "too many notifications queued; dropping some")

    def close(self, timeout: float = 2.0) -> None:
        """Stop the worker, then end every notify-send still waiting for an action."""
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass
        else:
            self._thread.join(timeout)
        self.waiters.close()

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("%s", message)

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            title, body, key, urgency, actions, level = item
            try:
                icon = self.icons(level) if self.icons is not None else self.icon_path
                if not self._notify_send(title, body, key, urgency, actions, icon) \
                        and not self._native(title, body, key, actions, icon):
                    self._deliver(title, body, icon)
                log.info("notified: %s | %s", title, body.replace("\n", " / "))
            except Exception as exc:
                self._warn_once("deliver", f"cannot show notifications ({one_line(exc, 160)})")

    def _notify_send(self, title: str, body: str, key: str, urgency: str,
                     actions: tuple[NoteAction, ...] = (), icon: str = "") -> bool:
        """Deliver with notify-send's ids; False when it cannot (then plyer does)."""
        if not self.platform.startswith(("linux", "freebsd")):
            return False
        program = shutil.which("notify-send")
        if program is None or not notify_send_replaces(program):
            return False
        self.waiters.retire(key)          # its notify-send ends before the replacement
        previous = self._ids.get(key) if key else None
        stdbuf = shutil.which("stdbuf")
        if actions and key and stdbuf and not self._no_wait and notify_send_actions(program) \
                and self.waiters.has_room(key) and self.capabilities.actions():
            self._notify_wait(notify_send_argv(program, title, body, urgency, icon,
                                               previous, actions, stdbuf), key, actions)
            return True
        argv = notify_send_argv(program, title, body, urgency, icon, previous)
        done = subprocess.run(argv, check=False, capture_output=True,
                              text=True, timeout=10, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError(one_line(done.stderr or f"notify-send exit {done.returncode}",
                                        160))
        printed = done.stdout.strip().splitlines()
        if key and printed and printed[-1].isdigit():
            self._ids[key] = int(printed[-1])
        return True

    def _native(self, title: str, body: str, key: str, actions: tuple[NoteAction, ...],
                icon: str) -> bool:
        """macOS's osascript or a Windows toast; False (after a warning) when it cannot."""
        try:
            if self.platform == "darwin" and self.osascript.available():
                self.osascript.show(APP_NAME, title, body)
                return True
            if self.platform == "win32" and self.toasts is not None:
                offered = actions if key else ()
                by_name = {a.name: a for a in offered}
                self.toasts.show(toast_xml(title, body, icon,
                                           tuple((a.name, a.label) for a in offered)),
                                 toast_tag(key), lambda name: _run(by_name.get(name)))
                return True
        except Exception as exc:
            self._warn_once("native", f"cannot show the system's notifications "
                                      f"({one_line(exc, 160)}); using plyer")
        return False

    def _notify_wait(self, argv: list[str], key: str, actions: tuple[NoteAction, ...]) -> None:
        """notify-send with actions: its id is read here, the action by a waiter thread.
        Its own session, so a Ctrl-C in the terminal does not close the notification."""
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        nid, rest, said = read_id(proc, ID_TIMEOUT)
        if nid is not None:
            self._ids[key] = nid
            self.waiters.start(key, proc, rest, actions)
            return
        if proc.poll() is None:           # silent: stdbuf had no effect here
            self._no_wait = True
            self.waiters.start(key, proc, b"", ())      # reaped there; ended at quit
            self._warn_once("noid", "notify-send did not print its id; notifications "
                                    "without actions from now on")
            return
        if proc.wait() != 0:
            raise RuntimeError(one_line(said or f"notify-send exit {proc.returncode}", 160))

    def _deliver(self, title: str, body: str, icon: str = "") -> None:
        if plyer_can_deliver(self.platform):
            try:
                self._plyer(title, body, icon)
                return
            except Exception as exc:
                if self.icon_notify is None:
                    raise
                self._warn_once("plyer", f"plyer cannot notify ({one_line(exc, 160)}); "
                                         "using the tray icon's notifications")
        elif self.icon_notify is None:
            raise RuntimeError("no notification service (install libnotify-bin for notify-send)")
        else:
            self._warn_once("plyer", "plyer cannot notify here (no dbus-python, no "
                                     "notify-send); using the tray icon's notifications")
        assert self.icon_notify is not None
        self.icon_notify(body, title)

    def _plyer(self, title: str, body: str, icon: str = "") -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")       # plyer warns about dbus on every process
            from plyer import notification
            impl: Any = getattr(notification._notify, "__self__", None)
            if type(impl).__name__ == "NotifySendNotification":
                # plyer's public call makes notify-send notifications sticky (-t 0)
                impl._notify(title=title, message=body, app_name=APP_NAME,
                             icon=icon, expire_time=str(EXPIRE_MS))
                return
            notification.notify(title=title, message=body, app_name=APP_NAME,
                                app_icon=icon, timeout=EXPIRE_MS // 1000)


def _run(action: NoteAction | None) -> None:
    """A toast's action (on WinRT's thread): only one we offered; a failure logged."""
    if action is None:
        return
    try:
        action.run()
    except Exception as exc:
        log.warning("notification action %s failed (%s)", action.name, one_line(exc, 160))
