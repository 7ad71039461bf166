"""macOS: a per-user LaunchAgent, ``~/Library/LaunchAgents/<LABEL>.plist``.

launchd reads it at the next login. ``RunAtLoad`` starts the app once per
login; there is deliberately no ``KeepAlive``, so quitting from the tray
menu stays quit. ``LimitLoadToSessionType`` keeps it to graphical logins.
"""

from __future__ import annotations

import plistlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trayapp.edges.autostart.base import FileEntry, Status, other_install

LABEL = "io.github.trayapp"


def launch_agents_dir(home: Path | None = None) -> Path:
    return (home or Path.home()) / "Library" / "LaunchAgents"


def agent(argv: Sequence[str]) -> dict[str, Any]:
    return {
        "Label": LABEL,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }


class LaunchAgent(FileEntry):
    """The LaunchAgent plist in ``agents_dir`` (``~/Library/LaunchAgents``)."""

    def __init__(self, agents_dir: Path, argv: Sequence[str]) -> None:
        super().__init__(Path(agents_dir) / f"{LABEL}.plist", argv)

    def payload(self) -> bytes:
        return plistlib.dumps(agent(self.argv), fmt=plistlib.FMT_XML)

    def read_status(self, data: bytes) -> Status:
        try:
            plist = plistlib.loads(data)
        except (plistlib.InvalidFileException, ValueError):
            return Status(False, self.location, "the file is not a valid plist")
        if not isinstance(plist, dict):
            return Status(False, self.location, "the file is not a LaunchAgent")
        if plist.get("Disabled") is True or plist.get("RunAtLoad") is not True:
            return Status(False, self.location, "the agent does not run at login")
        args = plist.get("ProgramArguments")
        if args != self.argv:
            program = args[0] if isinstance(args, list) and args and isinstance(args[0], str) \
                else None
            return other_install(self.location, program)
        return Status(True, self.location)
