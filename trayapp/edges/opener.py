"""Opening links and files with the desktop's opener, saying so when it fails.

Never a shell: the opener (``xdg-open``, ``open``; ``os.startfile`` and
``webbrowser`` on Windows) gets a list argv. Links that are not http(s)
(:func:`trayapp.domain.text.safe_url`) are refused. A failure (a missing file, a
missing opener, an opener that exits non-zero because nothing takes the
file or link) is logged and given to the caller's ``failed`` callback as one
line that names the path or link, so the tray can say it in a notification.

How the opener's exit is waited for is the caller's: by default a reaper
thread (:func:`reaper`); a Tk window passes its own ``watch`` that polls on
Tk's ``after`` loop, so ``failed`` runs on the Tk thread
(:mod:`trayapp.windows.winopen`).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from trayapp.domain.text import one_line, safe_url

log = logging.getLogger(__name__)


Failed = Callable[[str], None]
Exited = Callable[[int], None]
Watch = Callable[["subprocess.Popen[bytes]", Exited], None]


def reaper(proc: subprocess.Popen[bytes], exited: Exited) -> None:
    """Wait for ``proc`` on a daemon thread; ``exited`` hears its exit code there."""
    threading.Thread(target=lambda: exited(proc.wait()), name="opener-reaper",
                     daemon=True).start()


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
             platform: str | None = None, watch: Watch = reaper) -> bool:
    """Open an http(s) link; ``failed`` hears one line (with the link) if nothing took it,
    possibly later, from ``watch``. Without the desktop's opener (Windows, or
    ``xdg-open`` missing), Python's :mod:`webbrowser` tries."""
    safe = safe_url(url)
    if safe is None:
        _say(failed, f"Not opened: {one_line(url, 120)} is not an http(s) link")
        return False
    argv = url_opener_argv(safe, sys.platform if platform is None else platform)
    proc = _start(argv) if argv is not None else None
    if isinstance(proc, subprocess.Popen):
        _watch_exit(proc, watch, failed, f"Could not open {safe}: no browser took it")
        return True
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


def open_path(path: Path, platform: str | None = None, failed: Failed | None = None,
              watch: Watch = reaper) -> bool:
    """Open a file with the desktop's opener; ``failed`` hears one line (with the path)
    when the file is missing or no program took it, possibly later, from ``watch``."""
    if not path.exists():
        _say(failed, f"Could not open {path}: the file does not exist")
        return False
    plat = sys.platform if platform is None else platform
    argv = opener_argv(path, plat)
    if argv is None:
        try:
            os.startfile(str(path))  # type: ignore[attr-defined,unused-ignore]  # noqa: S606
            return True
        except OSError as exc:
            _say(failed, f"Could not open {path} ({exc.strerror or type(exc).__name__})")
            return False
    proc = _start(argv)
    if isinstance(proc, OSError):
        _say(failed, f"Could not open {path}: {argv[0]} is missing "
                     f"({proc.strerror or 'not found'})")
        return False
    _watch_exit(proc, watch, failed, f"Could not open {path}: no program for it")
    return True


def _start(argv: list[str]) -> subprocess.Popen[bytes] | OSError:
    """``argv`` started with no shell, in its own session, or why it could not be."""
    try:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        return exc


def _watch_exit(proc: subprocess.Popen[bytes], watch: Watch, failed: Failed | None,
                refused: str) -> None:
    """A non-zero exit of ``proc`` is said as ``refused (<opener> exit N)``."""
    args = proc.args
    name = str(args[0] if isinstance(args, list | tuple) else args)

    def exited(code: int) -> None:
        if code != 0:
            _say(failed, f"{refused} ({name} exit {code})")
    watch(proc, exited)
