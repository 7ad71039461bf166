"""Is this laptop running on its battery? One reader per OS, read once a cycle.

:func:`on_battery` says ``True`` (on battery), ``False`` (on mains power, or a
machine without a battery) or ``None`` (cannot tell: treated as mains, so the
polling never slows down on a guess). It never raises.

* Linux: the power-supply class in sysfs (``/sys/class/power_supply``, the
  kernel's documented ABI): on battery when no ``Mains``/``USB`` supply is
  ``online`` and a ``Battery`` says ``Discharging``. A few small files, no D-Bus.
* macOS: ``pmset -g batt``, whose first line says which source the machine draws
  from ("Now drawing from 'Battery Power'" or "'AC Power'").
* Windows: ``GetSystemPowerStatus`` (``ACLineStatus`` 0 = offline, 1 = online,
  255 = unknown), through ctypes.

Only the Linux reader runs on this project's test machines; the macOS and
Windows readers are written to the documented output and API and tested with
recorded outputs and a fake call: unverified on real hardware.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

SYSFS = Path("/sys/class/power_supply")
PMSET_TIMEOUT = 2.0
MAINS_TYPES = frozenset({"Mains", "USB", "USB_C", "USB_PD", "USB_PD_DRP", "Wireless"})


def _read(path: Path) -> str:
    try:
        with path.open(encoding="ascii", errors="replace") as f:
            return f.read(64).strip()
    except OSError:
        return ""


def linux_on_battery(root: Path = SYSFS) -> bool | None:
    """From the power-supply class: ``None`` when it cannot be read at all."""
    try:
        supplies = sorted(root.iterdir())
    except OSError:
        return None
    discharging = False
    for supply in supplies:
        kind = _read(supply / "type")
        if kind in MAINS_TYPES and _read(supply / "online") == "1":
            return False
        if kind == "Battery" and _read(supply / "status") == "Discharging":
            discharging = True
    return discharging


def pmset_on_battery(output: str) -> bool | None:
    """From ``pmset -g batt``'s first line."""
    first = output.strip().splitlines()[0] if output.strip() else ""
    if "'Battery Power'" in first:
        return True
    if "'AC Power'" in first or "'UPS Power'" in first:
        return False
    return None


def _pmset() -> str:
    try:
        done = subprocess.run(["pmset", "-g", "batt"], capture_output=True, text=True,
                              timeout=PMSET_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def ac_line_on_battery(status: int | None) -> bool | None:
    """From Windows' ``SYSTEM_POWER_STATUS.ACLineStatus``."""
    return {0: True, 1: False}.get(status) if status is not None else None


def _ac_line_status() -> int | None:     # pragma: no cover - Windows only
    if sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    class SystemPowerStatus(ctypes.Structure):
        _fields_ = [("ACLineStatus", wintypes.BYTE), ("BatteryFlag", wintypes.BYTE),
                    ("BatteryLifePercent", wintypes.BYTE), ("SystemStatusFlag", wintypes.BYTE),
                    ("BatteryLifeTime", wintypes.DWORD), ("BatteryFullLifeTime", wintypes.DWORD)]

    status = SystemPowerStatus()
    if not ctypes.windll.kernel32.GetSystemPowerStatus(ctypes.byref(status)):
        return None
    return int(status.ACLineStatus) & 0xFF


def on_battery(platform: str | None = None, *, root: Path = SYSFS,
               pmset: Callable[[], str] = _pmset,
               ac_line: Callable[[], int | None] = _ac_line_status) -> bool | None:
    plat = sys.platform if platform is None else platform
    try:
        if plat.startswith("linux"):
            return linux_on_battery(root)
        if plat == "darwin":
            return pmset_on_battery(pmset())
        if plat == "win32":
            return ac_line_on_battery(ac_line())
    except Exception:           # a reader's surprise is "cannot tell", never a dead loop
        return None
    return None
