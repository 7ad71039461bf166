"""What the desktop says about dark or light, read once when a window opens
(:mod:`trayapp.core.appearance` decides).

* Linux: the XDG desktop portal's ``org.freedesktop.appearance color-scheme``
  (``gdbus call ... org.freedesktop.portal.Settings.Read``, 2 s at most), then
  GTK: ``GTK_THEME``, ``~/.config/gtk-3.0/settings.ini`` (``gtk-theme-name``,
  ``gtk-application-prefer-dark-theme``).
* macOS: ``defaults read -g AppleInterfaceStyle`` says ``Dark`` in dark mode and
  fails (the key is absent) in light mode.
* Windows: ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Themes\\Personalize``
  ``AppsUseLightTheme`` (0: dark). Written to the documented API; unverified on
  real macOS and Windows.

Anything missing or unreadable is simply not said (None).
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from trayapp.core.appearance import Preference, Scheme

TIMEOUT = 2.0
_PORTAL = ["call", "--session", "--timeout", "2", "--dest", "org.freedesktop.portal.Desktop",
           "--object-path", "/org/freedesktop/portal/desktop",
           "--method", "org.freedesktop.portal.Settings.Read",
           "org.freedesktop.appearance", "color-scheme"]


def _run(argv: list[str]) -> str | None:
    """stdout of a successful short command, else None."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def portal() -> int | None:
    gdbus = shutil.which("gdbus")
    out = _run([gdbus, *_PORTAL]) if gdbus else None
    m = re.search(r"uint32\s+(\d+)", out or "")
    return int(m[1]) if m else None


def gtk_settings(home: Path) -> tuple[bool | None, str | None]:
    """(prefer dark, theme name) from GTK_THEME and GTK 3's settings.ini."""
    env = os.environ.get("GTK_THEME") or None
    parser = configparser.ConfigParser(interpolation=None)
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    try:
        parser.read(config / "gtk-3.0" / "settings.ini", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None, env
    section = parser["Settings"] if parser.has_section("Settings") else None
    if section is None:
        return None, env
    raw = section.get("gtk-application-prefer-dark-theme", "").strip().lower()
    prefer = {"1": True, "true": True, "0": False, "false": False}.get(raw)
    return prefer, env or section.get("gtk-theme-name") or None


def macos() -> Scheme:
    out = _run(["defaults", "read", "-g", "AppleInterfaceStyle"])
    return "dark" if out is not None and out.strip().lower() == "dark" else "light"


def windows() -> Scheme | None:
    if sys.platform != "win32":
        return None
    import winreg
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows"
                            r"\CurrentVersion\Themes\Personalize") as key:
            value, _kind = winreg.QueryValueEx(key, "AppsUseLightTheme")
    except OSError:
        return None
    return "light" if value else "dark"


def read(platform: str = sys.platform) -> Preference:
    if platform == "darwin":
        return Preference(system=macos())
    if platform == "win32":
        return Preference(system=windows())
    prefer, theme = gtk_settings(Path.home())
    return Preference(portal=portal(), gtk_prefer_dark=prefer, gtk_theme=theme)
