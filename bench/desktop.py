"""A throw-away virtual desktop for the tray measurements: Xvfb, a tray host, D-Bus, dunst.

Used only when ``trayapp.tray`` is importable and the programs are installed
(Debian: ``apt-get install xvfb x11-utils tint2 dbus dunst xdotool``);
:func:`unavailable` says why not otherwise. Everything started here is
stopped by the context manager, by PID.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_WINDOW_NAME = "Claude"  # the icon window is named after its tooltip
TINT2_RC = """\
panel_items = S
panel_size = 100% 32
panel_position = bottom left horizontal
panel_background_id = 0
systray_padding = 4 4 4
systray_icon_size = 24
systray_sort = ascending
"""
_CURRENT: dict[str, str] = {}     # the running session's DISPLAY, for ImageGrab


def unavailable(env: dict[str, str]) -> str | None:
    """Why the tray cannot be measured here, or None."""
    found = subprocess.run(
        [sys.executable, "-c", "import importlib.util, sys\n"
         "sys.exit(0 if importlib.util.find_spec('trayapp.tray') else 1)"],
        env=env, capture_output=True, check=False)
    if found.returncode != 0:
        return "trayapp.tray is not importable (the tray is not in this build)"
    for program in ("Xvfb", "xdotool", "xprop"):
        if shutil.which(program) is None:
            return f"{program} is not installed"
    if shutil.which("tint2") is None and shutil.which("trayer") is None:
        return "no tray host (tint2 or trayer) is installed"
    return None


@dataclass
class Session:
    display: str
    window_name: str
    env: dict[str, str] = field(default_factory=dict)

    def find_icon(self, timeout: float = 20.0) -> tuple[int, int] | None:
        """The centre of the tray icon's window, found with ``xdotool search --name``."""
        deadline = time.monotonic() + timeout
        env = {**os.environ, **self.env}
        while time.monotonic() < deadline:
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name",
                                    self.window_name], env=env, capture_output=True,
                                   text=True, check=False)
            for wid in found.stdout.split():
                geo = subprocess.run(["xdotool", "getwindowgeometry", "--shell", wid],
                                     env=env, capture_output=True, text=True, check=False)
                vals = dict(line.split("=", 1) for line in geo.stdout.split() if "=" in line)
                with contextlib.suppress(KeyError, ValueError):
                    w, h = int(vals["WIDTH"]), int(vals["HEIGHT"])
                    if 8 <= w <= 128 and 8 <= h <= 128:
                        return int(vals["X"]) + w // 2, int(vals["Y"]) + h // 2
            time.sleep(0.2)
        return None


def level_at(centre: tuple[int, int], half: int = 10) -> str | None:
    """The level the tray icon around ``centre`` shows on the virtual screen, or None.

    The icon's centre holds its symbol (a check, "!", a cross...), so the level is read
    as :func:`trayapp.icon.read_level` reads it: the level colour with the most pixels
    in a small box around the centre."""
    from PIL import ImageGrab

    from trayapp.icon import read_level

    x, y = centre
    try:
        shot = ImageGrab.grab(bbox=(x - half, y - half, x + half, y + half),
                              xdisplay=_CURRENT.get("display"))
    except OSError:
        return None
    level = read_level(shot)
    return None if level is None else level.value


def stop_process(proc: subprocess.Popen[Any]) -> None:
    """TERM, then KILL after 10 s: only the process we started."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tray_owned(env: dict[str, str]) -> bool:
    try:
        from Xlib import X, display
    except ImportError:
        time.sleep(1.0)
        return True
    d = display.Display(env["DISPLAY"])
    try:
        atom = d.intern_atom("_NET_SYSTEM_TRAY_S0")
        return bool(d.get_selection_owner(atom) != X.NONE)
    finally:
        d.close()


@contextlib.contextmanager
def session(state: Path, window_name: str = DEFAULT_WINDOW_NAME) -> Iterator[Session]:
    state.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    base = {**os.environ, "HOME": str(state), "XDG_CONFIG_HOME": str(state / "config"),
            "XDG_CACHE_HOME": str(state / "cache"), "NO_AT_BRIDGE": "1"}
    try:
        r, w = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1024x768x24",
                                 "-noreset", "-nolisten", "tcp"], pass_fds=(w,),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(xvfb)
        os.close(w)
        with os.fdopen(r) as f:
            number = f.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        env = {"DISPLAY": f":{number}", "NO_AT_BRIDGE": "1"}
        base.update(env)
        subprocess.run(["xprop", "-root", "-f", "_NET_NUMBER_OF_DESKTOPS", "32c", "-set",
                        "_NET_NUMBER_OF_DESKTOPS", "1"], env=base, check=True,
                       capture_output=True)
        if shutil.which("dbus-daemon"):
            bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address"],
                                   env=base, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            procs.append(bus)
            assert bus.stdout is not None
            address = bus.stdout.readline().decode().strip()
            if address:
                env["DBUS_SESSION_BUS_ADDRESS"] = address
                base.update(env)
        if shutil.which("tint2"):
            rc = state / "tint2rc"
            rc.write_text(TINT2_RC)
            procs.append(subprocess.Popen(["tint2", "-c", str(rc)], env=base,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        else:
            procs.append(subprocess.Popen(["trayer", "--edge", "bottom"], env=base,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 20
        while not _tray_owned(base):
            if time.monotonic() > deadline:
                raise RuntimeError("the tray host did not take the tray selection")
            time.sleep(0.05)
        if shutil.which("dunst") and "DBUS_SESSION_BUS_ADDRESS" in env:
            procs.append(subprocess.Popen(["dunst"], env=base, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        _CURRENT["display"] = env["DISPLAY"]
        yield Session(env["DISPLAY"], window_name, env)
    finally:
        _CURRENT.clear()
        for proc in reversed(procs):
            stop_process(proc)
