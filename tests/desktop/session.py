"""A throwaway virtual desktop for end-to-end tests: Xvfb, a private D-Bus, tint2, dunst.

    with DesktopSession(tmp_dir) as desk:
        subprocess.Popen(argv, env=desk.env(...))

* Xvfb on a free display (``-displayfd``: the server picks it, no race), with
  ``-noreset`` so root-window properties survive clients coming and going;
* ``_NET_NUMBER_OF_DESKTOPS`` set with xprop, so tint2 starts its tray at
  once instead of waiting 15 s for a window manager;
* a private ``dbus-daemon`` (never the user's bus), then tint2 with a
  tray-only config (HOME/XDG dirs inside the session dir), then dunst;
* each step waits for a real condition (the display answers, the bus answers,
  the tray selection has an owner, the notification name has an owner);
* stop() ends only the processes it started, newest first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

PROGRAMS = ("Xvfb", "xprop", "xdpyinfo", "dbus-daemon", "dbus-send", "tint2", "dunst",
            "dunstctl", "xdotool")
TIMEOUT = 20.0

# tint2 reads its config in order: a background (``rounded = ...`` starts one)
# must come before the ``panel_background_id`` that names it, else the panel
# has background 0 (none) and shows the root window: black under Xvfb, whatever
# colour was asked for.
TINT2RC = """\
rounded = 0
border_width = 0
background_color = {panel} 100
panel_items = S
panel_size = 100% {height}
panel_position = bottom center horizontal
panel_background_id = 1
panel_padding = 4 4 4
systray_padding = 4 4 4
systray_icon_size = {icon_size}
systray_icon_asb = 100 0 0
wm_menu = 0
disable_transparency = 1
mouse_effects = 0
startup_notifications = 0
"""


def links_go_to_browser_variable(data_home: Path, config_home: Path) -> None:
    """Make ``xdg-open`` hand web links to ``$BROWSER``, as on a machine without a browser.

    ``xdg-open`` asks the desktop's default handler for ``x-scheme-handler/https``
    first and uses ``$BROWSER`` only when there is none; a machine with a browser
    installed (Chromium registers itself) would open the tests' links in it. The
    default named here does not exist, so ``xdg-open`` goes on to ``$BROWSER``.
    xdg-utils 1.1 reads ``defaults.list`` in the data dirs, 1.2 ``mimeapps.list``."""
    none = ("[Default Applications]\n"
            "x-scheme-handler/http=trayapp-tests-no-browser.desktop\n"
            "x-scheme-handler/https=trayapp-tests-no-browser.desktop\n")
    for where in (data_home / "applications" / "defaults.list", config_home / "mimeapps.list"):
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text(none)


def missing_programs() -> list[str]:
    return [p for p in PROGRAMS if shutil.which(p) is None]


def same_colour(a: tuple[int, ...], b: tuple[int, ...], by: int = 2) -> bool:
    """Two screen colours alike to within ``by`` per channel: a panel's own
    pixels differ by 1 from place to place (trayer's dark 2x panel: 63 and 64),
    an opaque square behind an icon differs by far more."""
    return len(a) == len(b) and max(abs(x - y) for x, y in zip(a, b, strict=True)) <= by


def need_appindicator(*programs: str, hint: str = "") -> None:
    """Skip unless ``programs`` are installed, PyGObject is there and it has the
    AyatanaAppIndicator3 typelib (what the appindicator backend needs)."""
    import pytest
    for program in programs:
        if shutil.which(program) is None:
            pytest.skip(f"{program} is missing" + (f" (Debian: {hint})" if hint else ""))
    gi = pytest.importorskip("gi", reason="PyGObject is not installed")
    try:
        gi.require_version("AyatanaAppIndicator3", "0.1")
    except ValueError:
        pytest.skip("no AyatanaAppIndicator3 typelib (gir1.2-ayatanaappindicator3-0.1)")


def poll(check: object, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise RuntimeError(f"desktop session: timed out waiting for {what}")


class DesktopSession:
    """``panel`` is the tray's panel colour, ``icon_size`` its tray icon size in
    device pixels (tint2's panel is 16 px taller; trayer's is the icon size and
    its icons 2 px smaller); ``scale`` is GTK's device scale (``GDK_SCALE``) for
    every program started in the session (2: HiDPI); ``tray`` is ``tint2`` or
    ``trayer`` (a GTK 2 tray: 200 px wide at the bottom left), or ``""`` for none
    (a desktop like vanilla GNOME: :meth:`start_tray` adds one later)."""

    def __init__(self, root: Path, geometry: str = "1024x768x24", panel: str = "#404040",
                 icon_size: int = 24, scale: int = 1, tray: str = "tint2") -> None:
        self.root = root
        self.geometry = geometry
        self.panel = panel
        self.icon_size = icon_size
        self.scale = scale
        self.tray = tray
        self.procs: list[subprocess.Popen[bytes]] = []
        self.display = ""
        self.bus = f"unix:path={root / 'bus.sock'}"
        self.home = root / "home"

    # -- environment for programs in this session --------------------------
    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("XDG_", "DBUS_", "PYSTRAY_", "TRAYAPP_"))
               and k not in ("DISPLAY", "WAYLAND_DISPLAY", "HOME")}
        env.update(DISPLAY=self.display, DBUS_SESSION_BUS_ADDRESS=self.bus, NO_AT_BRIDGE="1",
                   HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / ".config"),
                   XDG_CACHE_HOME=str(self.home / ".cache"),
                   XDG_DATA_HOME=str(self.home / ".local/share"),
                   XDG_STATE_HOME=str(self.home / ".local/state"),
                   XDG_RUNTIME_DIR=str(self.root / "run"))
        if self.scale != 1:
            env.update(GDK_SCALE=str(self.scale), GDK_DPI_SCALE="1")
        env.update(extra)
        return env

    def run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, env=self.env(), capture_output=True, text=True,
                              check=check, timeout=TIMEOUT)

    def _ok(self, *argv: str) -> bool:
        try:
            return self.run(*argv, check=False).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def _spawn(self, name: str, argv: list[str], **kw: object) -> subprocess.Popen[bytes]:
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 (closed by the child's exit)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                env=self.env(), start_new_session=True, **kw)  # type: ignore[call-overload]
        log.close()
        self.procs.append(proc)
        return proc

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> DesktopSession:
        for d in (self.home, self.root / "run"):
            d.mkdir(parents=True, exist_ok=True)
        links_go_to_browser_variable(self.home / ".local/share", self.home / ".config")
        (self.root / "run").chmod(0o700)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        self._spawn("xvfb", ["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                             self.geometry, "-nolisten", "tcp", "-noreset"],
                    pass_fds=(write_fd,))
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number.isdigit():
            raise RuntimeError("Xvfb did not report a display number; see xvfb.log")
        self.display = f":{number}"
        poll(lambda: self._ok("xdpyinfo"), "the X server")
        for prop in ("_NET_NUMBER_OF_DESKTOPS 1", "_NET_CURRENT_DESKTOP 0"):
            name, value = prop.split()
            self.run("xprop", "-root", "-f", name, "32c", "-set", name, value)
        self._spawn("dbus", ["dbus-daemon", "--session", "--nofork", "--nopidfile",
                             f"--address={self.bus}"])
        poll(lambda: self._ok("dbus-send", "--session", "--dest=org.freedesktop.DBus",
                              "--print-reply", "/org/freedesktop/DBus",
                              "org.freedesktop.DBus.GetId"), "the session bus")
        if self.tray:
            self.start_tray()
        self._spawn("dunst", ["dunst"])
        poll(lambda: "boolean true" in self.run(
            "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.Notifications", check=False).stdout, "dunst")

    def start_tray(self, tray: str | None = None) -> None:
        """Start the tray (``tint2`` or ``trayer``) and wait until it owns the selection;
        a session made with ``tray=""`` has none until this is called."""
        self.tray = tray or self.tray or "tint2"
        if self.tray == "trayer":
            self._spawn("trayer", ["trayer", "--edge", "bottom", "--align", "left",
                                   "--widthtype", "pixel", "--width", "200",
                                   "--height", str(self.icon_size), "--transparent", "true",
                                   "--alpha", "0", "--tint", "0x" + self.panel.lstrip("#"),
                                   "--SetDockType", "true"])
        else:
            rc = self.root / "tint2rc"
            rc.write_text(TINT2RC.format(panel=self.panel, icon_size=self.icon_size,
                                         height=self.icon_size + 16))
            self._spawn("tint2", ["tint2", "-c", str(rc)])
        poll(self.tray_owned, f"{self.tray}'s system tray")

    def tray_owned(self) -> bool:
        """True once some client owns the _NET_SYSTEM_TRAY_S0 selection."""
        import Xlib.display
        import Xlib.X

        display = Xlib.display.Display(self.display)
        try:
            atom = display.intern_atom("_NET_SYSTEM_TRAY_S0")
            return bool(display.get_selection_owner(atom) != Xlib.X.NONE)
        finally:
            display.close()

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        self.procs.clear()

    def __enter__(self) -> DesktopSession:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
