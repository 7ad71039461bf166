"""The tray's child windows (About, Preferences, details): started, watched, and a quick
death said in a notification with the log's path, never silently.

A child's stderr is read to its end into the tray's log (each line, bounded), so
an ImportError or "cannot edit the configuration" is in the log the notification
names. A child that exits with an error within :data:`QUICK` seconds of its start did
not get as far as its window: the user clicked and saw nothing, so the tray says so.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from trayapp.domain.text import one_line

log = logging.getLogger(__name__)
# "Within a second" as the user sees it; a loaded machine starts Python slowly, and a
# child that dies in its first seconds never showed its window either.
QUICK = 3.0
LINES = 200                     # stderr lines of one child that reach the log

Died = Callable[[str], None]


def died_message(what: str, code: int | None, last: str, log_file: Path) -> str:
    """The notification's body: what did not open, why in one line, where the log is."""
    why = f"exit {code}" if code is not None else "it could not start"
    tail = f": {one_line(last, 160)}" if last else ""
    return f"{what} did not open ({why}){tail}. The log has more: {log_file}"


def watch(proc: subprocess.Popen[bytes], what: str, started: float, log_file: Path,
          died: Died) -> None:
    """Read ``proc``'s stderr into the log, then wait for it; a quick non-zero exit is
    reported through ``died``. On a thread of its own (daemon)."""
    def run() -> None:
        last = ""
        if proc.stderr is not None:
            for n, raw in enumerate(proc.stderr):
                text = one_line(raw.decode("utf-8", "replace"), 300)
                if text:
                    last = text
                    if n < LINES:
                        log.warning("%s: %s", what, text)
        code = proc.wait()
        # a negative code is a signal: closed by the tray (at quit) or the user, not a death
        if code > 0 and time.monotonic() - started < QUICK:
            log.error("%s stopped at once (exit %s)", what, code)
            died(died_message(what, code, last, log_file))
    threading.Thread(target=run, name=f"child {what}", daemon=True).start()


def start(argv: Sequence[str], what: str, log_file: Path, died: Died,
          **popen: object) -> subprocess.Popen[bytes] | None:
    """``argv`` as a watched child (stdin closed unless given); None if it could not
    start (said through ``died``)."""
    popen.setdefault("stdin", subprocess.DEVNULL)
    started = time.monotonic()
    try:
        proc: subprocess.Popen[bytes] = subprocess.Popen(  # type: ignore[call-overload]
            list(argv), stderr=subprocess.PIPE, **popen)
    except OSError as exc:
        log.error("%s could not start: %s", what, one_line(exc, 200))
        died(died_message(what, None, str(exc), log_file))
        return None
    watch(proc, what, started, log_file, died)
    return proc
