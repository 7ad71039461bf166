"""Opening links and files: http(s) links via ``webbrowser``, files via the OS opener.

Never a shell: the opener gets a list argv. Links that are not http(s)
(:func:`trayapp.text.safe_url`) are refused and logged.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from trayapp.text import one_line, safe_url

log = logging.getLogger(__name__)


def open_url(url: object) -> bool:
    safe = safe_url(url)
    if safe is None:
        log.warning("refusing to open a link that is not http(s): %s", one_line(url, 120))
        return False
    import webbrowser
    try:
        return bool(webbrowser.open(safe))
    except Exception as exc:
        log.warning("cannot open %s (%s)", safe, one_line(exc, 120))
        return False


def opener_argv(path: Path, platform: str) -> list[str] | None:
    if platform == "darwin":
        return ["open", "--", str(path)]
    if platform == "win32":
        return None                     # os.startfile
    return ["xdg-open", str(path)]


def open_path(path: Path, platform: str | None = None) -> bool:
    plat = sys.platform if platform is None else platform
    argv = opener_argv(path, plat)
    try:
        if argv is None:
            os.startfile(str(path))  # type: ignore[attr-defined]  # noqa: S606 (Windows only)
            return True
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        log.warning("cannot open %s (%s)", path, exc.strerror or type(exc).__name__)
        return False
    threading.Thread(target=proc.wait, name="opener-reaper", daemon=True).start()
    return True
