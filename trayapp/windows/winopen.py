"""Opening links, files and Preferences from a Tk window, saying so when it fails.

The opening itself is :mod:`trayapp.edges.opener`'s; here its exit is watched
with Tk's ``after`` (never a thread touching Tk), so a file's opener
(``xdg-open``/``open``) that exits non-zero, a link no browser took, or a
Preferences process that could not start becomes one line the window shows
with the path or link, selectable so it can be copied.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trayapp.domain.text import one_line, safe_url
from trayapp.edges.opener import Exited, Watch, open_path, open_url
from trayapp.edges.selfrun import module_argv

Say = Callable[[str], None]
POLL_MS = 250
POLLS = 120                     # 30 s: an opener still running then has taken it


def tk_watch(root: Any) -> Watch:
    """An opener's exit, polled on ``root``'s Tk loop for up to 30 s."""
    def watch(proc: subprocess.Popen[bytes], exited: Exited) -> None:
        def check(left: int) -> None:
            code = proc.poll()
            if code is not None:
                exited(code)
            elif left > 0:
                root.after(POLL_MS, check, left - 1)
        root.after(POLL_MS, check, POLLS)
    return watch


def open_link(root: Any, url: str | None, text: str, say: Say) -> None:
    """Open an http(s) link in the browser; say so (with the link) when nothing took it."""
    if safe_url(url) is None:
        say(f"{text}: this link is not safe to open, so it is shown as text only")
        return
    open_url(url, failed=say, watch=tk_watch(root))


def open_file(root: Any, path: Path, say: Say) -> None:
    """Open ``path`` with the desktop's opener; say so (with the path) when it fails."""
    open_path(path, failed=say, watch=tk_watch(root))


def preferences_argv(config: str | None) -> list[str]:
    argv = module_argv("trayapp", "preferences")
    return [*argv, "--config", config] if config else argv


def open_preferences(root: Any, config: str | None, say: Say) -> None:
    argv = preferences_argv(config)
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        say(f"Could not start Preferences ({one_line(exc, 120)})")
        return

    def exited(code: int) -> None:
        if code != 0:
            say(f"Preferences did not open (exit {code}); "
                f"edit {config or 'the config file'} instead")
    tk_watch(root)(proc, exited)
