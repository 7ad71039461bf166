"""Opening links and files with the desktop's opener, saying so when it fails.

Never a shell: the opener (``xdg-open``, ``open``; ``os.startfile`` and
``webbrowser`` on Windows) gets a list argv. Links that are not http(s)
(:func:`trayapp.text.safe_url`) are refused. A failure (a missing file, a
missing opener, an opener that exits non-zero because nothing takes the
file or link) is logged and given to the caller's ``failed`` callback as one
line that names the path or link, so the tray can say it in a notification.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from trayapp.text import one_line, safe_url

log = logging.getLogger(__name__)


Failed = Callable[[str], None]


def _say(failed: Failed | None, message: str) -> None:
    log.warning("%s", message)
    if failed is not None:
        failed(message)


def url_opener_argv(url: str, platform: str) -> list[str] | None:
    """The desktop's own link opener (it honours $BROWSER and the desktop's choice, and
    its exit status says whether anything took the link); None on Windows."""
    if platform == "darwin":
        return ["open", url]
    if platform == "win32":
        return None
    return ["xdg-open", url]


def open_url(url: object, failed: Failed | None = None,
             platform: str | None = None) -> bool:
    """Open an http(s) link; ``failed`` hears one line (with the link) if nothing took it,
    possibly later, from a reaper thread."""
    safe = safe_url(url)
    if safe is None:
        _say(failed, f"Not opened: {one_line(url, 120)} is not an http(s) link")
        return False
    argv = url_opener_argv(safe, sys.platform if platform is None else platform)
    if argv is not None:
        return _launch(argv, failed, f"Could not open {safe}: no browser took it",
                       f"Could not open {safe}")
    import webbrowser
    try:
        if webbrowser.open(safe):
            return True
    except Exception as exc:
        log.debug("webbrowser: %s", one_line(exc, 120))
    _say(failed, f"Could not open {safe}: no web browser found")
    return False


def opener_argv(path: Path, platform: str) -> list[str] | None:
    if platform == "darwin":
        return ["open", "--", str(path)]
    if platform == "win32":
        return None                     # os.startfile
    return ["xdg-open", str(path)]


def open_path(path: Path, platform: str | None = None, failed: Failed | None = None) -> bool:
    """Open a file with the desktop's opener; ``failed`` hears one line (with the path)
    when the file is missing or no program took it, possibly later, from a reaper thread."""
    if not path.exists():
        _say(failed, f"Could not open {path}: the file does not exist")
        return False
    plat = sys.platform if platform is None else platform
    argv = opener_argv(path, plat)
    if argv is None:
        try:
            os.startfile(str(path))  # type: ignore[attr-defined]  # noqa: S606 (Windows only)
            return True
        except OSError as exc:
            _say(failed, f"Could not open {path} ({exc.strerror or type(exc).__name__})")
            return False
    return _launch(argv, failed, f"Could not open {path}: no program for it",
                   f"Could not open {path}")


def _launch(argv: list[str], failed: Failed | None, refused: str, missing: str) -> bool:
    """Start ``argv`` (no shell, its own session); a reaper thread waits for it and
    reports a non-zero exit as ``refused (argv[0] exit N)``."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        _say(failed, f"{missing}: {argv[0]} is missing ({exc.strerror or 'not found'})")
        return False

    def reap() -> None:
        code = proc.wait()
        if code != 0:
            _say(failed, f"{refused} ({argv[0]} exit {code})")
    threading.Thread(target=reap, name="opener-reaper", daemon=True).start()
    return True
