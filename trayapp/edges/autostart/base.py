"""What every autostart backend shares: its status, its errors, the command.

A backend never turns itself on: only an explicit ``enable`` writes an
entry, so one a user removed by hand stays removed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class AutostartError(Exception):
    """A one-line, user-facing reason why autostart could not be changed."""


@dataclass(frozen=True)
class Status:
    enabled: bool
    location: str  # where the entry lives (a path, or a registry value)
    note: str = ""  # why it is off, or why it may not work, in a few words
    missing: str = ""  # the entry's program, when it no longer exists (a removed install)


class Backend(Protocol):
    @property
    def location(self) -> str: ...

    def status(self) -> Status: ...

    def enable(self) -> None: ...

    def disable(self) -> bool:
        """Remove the entry; True when there was one."""
        ...


def launch_argv(gui: bool = False) -> list[str]:
    """The absolute command that starts this very installation of trayapp.

    A frozen (PyInstaller) app starts itself. Otherwise the ``trayapp``
    script (``trayapp-gui.exe`` on Windows, which opens no console) that pip
    or pipx installed for this interpreter, else the interpreter with
    ``-m trayapp`` (``pythonw.exe`` on Windows). Paths are made absolute but
    symlinks are kept: resolving a venv's ``python`` would leave the venv.
    """
    if getattr(sys, "frozen", False):
        return [os.path.abspath(sys.executable)]
    python = Path(os.path.abspath(sys.executable))
    name = "trayapp-gui.exe" if gui else ("trayapp.exe" if os.name == "nt" else "trayapp")
    for folder in _script_dirs(python):
        script = folder / name
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script)]
    if gui:
        windowless = python.with_name("pythonw.exe")
        if windowless.is_file():
            python = windowless
    return [str(python), "-m", "trayapp"]


def _script_dirs(python: Path) -> list[Path]:
    import sysconfig  # lazily: the tray imports this module, and needs this only here

    dirs = [python.parent]
    scripts = sysconfig.get_path("scripts")
    if scripts and Path(scripts) != python.parent:
        dirs.append(Path(scripts))
    return dirs


def one_line(exc: OSError, where: str) -> str:
    """``/path: Permission denied`` from an OSError, never a traceback.

    ``where`` names the entry when the error itself carries no file name
    (registry errors).
    """
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename or where}: {reason}"


OTHER_INSTALL = "it starts another install; enable again to point it here"
MISSING = "it starts another install, now removed; `trayapp autostart enable` points it here"


def other_install(location: str, program: str | None) -> Status:
    """The status of an entry that starts another command than this install's:
    ``missing`` names its program when that is an absolute path that is gone."""
    if program and os.path.isabs(program) and not os.path.exists(program):
        return Status(True, location, MISSING, missing=program)
    return Status(True, location, OTHER_INSTALL)
NO_ENTRY = "no entry"


class FileEntry:
    """An autostart entry that is one file: subclasses say what it holds."""

    def __init__(self, path: Path, argv: Sequence[str]) -> None:
        self.path = path
        self.argv = list(argv)

    @property
    def location(self) -> str:
        return str(self.path)

    def payload(self) -> bytes:
        """The file's exact contents for ``argv``."""
        raise NotImplementedError

    def read_status(self, data: bytes) -> Status:
        """The status of an existing file holding ``data``."""
        raise NotImplementedError

    def status(self) -> Status:
        try:
            data = read_entry(self.path)
        except FileNotFoundError:
            return Status(False, self.location, NO_ENTRY)
        return self.read_status(data)

    def enable(self) -> None:
        write_if_changed(self.path, self.payload())

    def disable(self) -> bool:
        return remove(self.path)


MAX_ENTRY_BYTES = 64 * 1024     # an entry is a few hundred bytes


def read_entry(path: Path) -> bytes:
    """The entry's bytes (:mod:`trayapp.edges.safefile`: a regular file, capped, never a
    blocking read; followed when a symlink, as the desktop follows it)."""
    from trayapp.edges.safefile import read_bytes
    return read_bytes(path, MAX_ENTRY_BYTES, follow=True)


def write_if_changed(path: Path, payload: bytes) -> None:
    """Write ``payload`` atomically; do nothing when the file already holds it."""
    try:
        if read_entry(path) == payload:
            return  # enabling twice changes nothing
    except FileNotFoundError:
        pass
    from trayapp.edges.paths import write_atomic
    write_atomic(path, payload, 0o600)      # like every file trayapp writes: private


def remove(path: Path) -> bool:
    """Delete ``path``; True when it was there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
