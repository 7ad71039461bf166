"""macOS notifications: ``osascript``'s ``display notification``, the text never code.

Apple's current API (``UNUserNotificationCenter``) serves only a signed app
bundle; a pip or pipx install runs from a plain Python, so trayapp uses
``osascript``, which works from any process (the notification is then
attributed to "Script Editor"; said once in the log, with how to get native
ones: the packaged trayapp.app). :func:`in_app_bundle` tells the two apart.

The text is passed as ``osascript`` arguments and read by the script with
``on run argv``: the script itself is a constant, so no title or body (from a
status page, a hook, a config file) is ever AppleScript. The first argument
is the fixed word ``trayapp``: ``osascript`` stops reading options at it, so
a title that starts with ``-`` is never taken for an option.

Checked on Linux with a fake ``osascript`` on PATH that records its argv;
unverified on a real Mac.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)
SCRIPT = ("on run argv",
          "display notification (item 4 of argv) with title (item 2 of argv)"
          " subtitle (item 3 of argv)",
          "end run")
HOW_NATIVE = ("macOS notifications come from \"Script Editor\" (osascript); the packaged "
              "trayapp.app shows them as trayapp's own (docs/notifications.md)")


def osascript_argv(program: str, title: str, subtitle: str, body: str) -> list[str]:
    """osascript's argv: the constant script, then the text as plain arguments."""
    argv = [program]
    for statement in SCRIPT:
        argv += ["-e", statement]
    return [*argv, "trayapp", title, subtitle, body]


def in_app_bundle(frozen: bool, executable: str) -> bool:
    """Whether this process is a packaged app bundle (``trayapp.app/Contents/MacOS/``)."""
    parts = Path(executable).parts
    return frozen and len(parts) >= 3 and parts[-2] == "MacOS" and parts[-3] == "Contents" \
        and any(part.endswith(".app") for part in parts[:-3])


class OsaScript:
    """Sends with ``osascript``; logs once where the notifications come from."""

    def __init__(self) -> None:
        self._told = False

    def available(self) -> bool:
        return shutil.which("osascript") is not None

    def show(self, title: str, subtitle: str, body: str) -> None:
        program = shutil.which("osascript")
        if program is None:
            raise RuntimeError("no osascript on PATH")
        if not self._told:
            self._told = True
            if not in_app_bundle(bool(getattr(sys, "frozen", False)), sys.executable):
                log.info("%s", HOW_NATIVE)
        done = subprocess.run(osascript_argv(program, title, subtitle, body), check=False,
                              capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError((done.stderr or f"osascript exit {done.returncode}").strip()[:160])
