"""Windows: the per-user ``Run`` key, value ``trayapp``.

The value is the quoted path of ``trayapp-gui.exe`` (or ``pythonw.exe -m
trayapp``), so login opens no console window. Task Manager's Startup tab
switches an entry off without deleting it, by an odd first byte in the
``StartupApproved\\Run`` value of the same name; status reports that, and an
explicit ``enable`` clears it.

Registry access goes through the small ``Registry`` protocol, so the logic
is tested with an in-memory fake on any OS; ``WinregKey`` is the real one.
"""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import Sequence
from typing import Any, Protocol

from trayapp.edges.autostart.base import NO_ENTRY, Status, other_install

VALUE_NAME = "trayapp"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"


class Registry(Protocol):
    """One registry key's named values."""

    @property
    def location(self) -> str: ...

    def get(self, name: str) -> str | bytes | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> bool:
        """Remove a value; True when it was there."""
        ...


class WinregKey:
    """A key under ``HKEY_CURRENT_USER``, through ``winreg`` (Windows only)."""

    def __init__(self, subkey: str) -> None:
        self.subkey = subkey

    @property
    def location(self) -> str:
        return f"HKCU\\{self.subkey}"

    def get(self, name: str) -> str | bytes | None:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.subkey) as key:
                value, _kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return value if isinstance(value, str | bytes) else None

    def set(self, name: str, value: str) -> None:
        winreg = _winreg()
        with winreg.CreateKeyEx(
            winreg.HKEY_CURRENT_USER, self.subkey, 0, winreg.KEY_SET_VALUE
        ) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> bool:
        winreg = _winreg()
        try:
            with winreg.OpenKey(
                winreg.HKEY_CURRENT_USER, self.subkey, 0, winreg.KEY_SET_VALUE
            ) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            return False
        return True


def _winreg() -> Any:
    return importlib.import_module("winreg")


def command_line(argv: Sequence[str]) -> str:
    """``"C:\\...\\trayapp-gui.exe"``: the program always quoted, then its arguments."""
    program, *args = argv
    return " ".join([f'"{program}"', subprocess.list2cmdline(args)]).rstrip()


def run_program(value: str) -> str | None:
    """The program of a Run value: the quoted first part, else up to the first space."""
    value = value.strip()
    if value.startswith('"'):
        end = value.find('"', 1)
        return value[1:end] if end > 1 else None
    return value.split(" ", 1)[0] or None


class RunKeyAutostart:
    """The ``Run`` value in ``run`` and Task Manager's switch in ``approved``."""

    def __init__(self, run: Registry, approved: Registry, argv: Sequence[str]) -> None:
        self.run = run
        self.approved = approved
        self.command = command_line(argv)

    @property
    def location(self) -> str:
        return f"{self.run.location}\\{VALUE_NAME}"

    def status(self) -> Status:
        value = self.run.get(VALUE_NAME)
        if value is None:
            return Status(False, self.location, NO_ENTRY)
        switch = self.approved.get(VALUE_NAME)
        if isinstance(switch, bytes) and switch and switch[0] & 1:
            return Status(False, self.location, "turned off in Task Manager's Startup tab")
        if value != self.command:
            return other_install(self.location, run_program(str(value)))
        return Status(True, self.location)

    def enable(self) -> None:
        if self.run.get(VALUE_NAME) != self.command:
            self.run.set(VALUE_NAME, self.command)
        switch = self.approved.get(VALUE_NAME)
        if isinstance(switch, bytes) and switch and switch[0] & 1:
            self.approved.delete(VALUE_NAME)  # the user asked for it: undo "disabled"

    def disable(self) -> bool:
        self.approved.delete(VALUE_NAME)
        return self.run.delete(VALUE_NAME)


def default(argv: Sequence[str]) -> RunKeyAutostart:
    return RunKeyAutostart(WinregKey(RUN_KEY), WinregKey(APPROVED_KEY), argv)
