"""Start at login: one backend per OS behind one selector.

For the CLI (``trayapp autostart enable|disable|status``)::

    run_command(action, out, err=None) -> int

For the tray's "Start at login" checkbox::

    is_enabled() -> bool
    enable() -> str        # where the entry now is; raises AutostartError
    disable() -> None      # raises AutostartError

Nothing here ever creates an entry on its own: only an explicit ``enable``
writes one, so an entry a user deleted by hand stays deleted. Platform
modules (``winreg``) are imported only on their platform.
"""

from __future__ import annotations

import sys
from typing import TextIO

from trayapp.edges.autostart.base import AutostartError, Backend, Status, launch_argv, one_line

__all__ = [
    "ACTIONS",
    "AutostartError",
    "Status",
    "backend",
    "disable",
    "enable",
    "is_enabled",
    "run_command",
    "status",
]

ACTIONS = ("enable", "disable", "status")


def backend(platform: str | None = None) -> Backend:
    """The autostart entry for ``platform`` (default: this one), for this install."""
    plat = sys.platform if platform is None else platform
    if plat == "win32":
        from trayapp.edges.autostart import windows

        return windows.default(launch_argv(gui=True))
    if plat == "darwin":
        from trayapp.edges.autostart import macos

        return macos.LaunchAgent(macos.launch_agents_dir(), launch_argv())
    from trayapp.edges.autostart import linux

    return linux.XdgAutostart(linux.config_home(), launch_argv())


def status(entry: Backend | None = None) -> Status:
    entry = entry or backend()
    try:
        return entry.status()
    except OSError as exc:
        message = f"cannot read the autostart entry: {one_line(exc, entry.location)}"
        raise AutostartError(message) from None


def is_enabled(entry: Backend | None = None) -> bool:
    """True when this user's session will start trayapp at login."""
    try:
        return status(entry).enabled
    except AutostartError:
        return False


def enable(entry: Backend | None = None) -> str:
    """Write the entry (harmless when it is already there); return where."""
    entry = entry or backend()
    try:
        entry.enable()
    except OSError as exc:
        message = f"cannot enable autostart: {one_line(exc, entry.location)}"
        raise AutostartError(message) from None
    return entry.location


def disable(entry: Backend | None = None) -> None:
    """Remove the entry (fine when there is none)."""
    _disable(entry or backend())


def _disable(entry: Backend) -> bool:
    try:
        return entry.disable()
    except OSError as exc:
        message = f"cannot disable autostart: {one_line(exc, entry.location)}"
        raise AutostartError(message) from None


def run_command(
    action: str, out: TextIO, err: TextIO | None = None, entry: Backend | None = None
) -> int:
    """Do ``action`` and print one line: 0 on success, 1 on failure, 2 on misuse.

    Errors go to ``err`` (default: ``out``) as one line, never a traceback.
    """
    err = err or out
    if action not in ACTIONS:
        print(
            f"error: unknown autostart action {action!r} (use enable, disable or status)",
            file=err,
        )
        return 2
    try:
        entry = entry or backend()
        if action == "enable":
            print(f"autostart enabled: {enable(entry)}", file=out)
        elif action == "disable":
            removed = _disable(entry)
            what = "removed" if removed else "there was no entry at"
            print(f"autostart disabled: {what} {entry.location}", file=out)
        else:
            state = status(entry)
            if state.missing:
                print(f"autostart enabled, but its command no longer exists: {state.missing} "
                      f"({state.location}; {state.note})", file=out)
                return 0
            word = "enabled" if state.enabled else "disabled"
            note = f" ({state.note})" if state.note else ""
            print(f"autostart {word}: {state.location}{note}", file=out)
    except AutostartError as exc:
        print(f"error: {exc}", file=err)
        return 1
    return 0
