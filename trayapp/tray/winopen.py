"""Opening links, files and Preferences from a Tk window, saying so when it fails.

The window polls with Tk's ``after`` (never a thread touching Tk): a file's
opener (``xdg-open``/``open``) that exits non-zero, a link no browser took,
or a Preferences process that could not start becomes one line the window
shows with the path or link, selectable so it can be copied.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trayapp.selfrun import module_argv
from trayapp.text import one_line, safe_url
from trayapp.tray.opener import open_url, opener_argv, url_opener_argv

Say = Callable[[str], None]


def open_link(root: Any, url: str | None, text: str, say: Say) -> None:
    """Open an http(s) link in the browser; say so (with the link) when nothing took it.
    On Linux and macOS through ``xdg-open``/``open`` (which honour $BROWSER and the
    desktop's choice), whose exit status tells whether it worked."""
    safe = safe_url(url)
    if safe is None:
        say(f"{text}: this link is not safe to open, so it is shown as text only")
        return
    argv = url_opener_argv(safe, sys.platform)
    proc = None
    if argv is not None:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            proc = None
    if proc is None or argv is None:
        if not open_url(safe):
            say(f"Could not open {safe}: no web browser found (copy the link from here)")
        return
    _watch(root, proc, lambda code: say(
        f"Could not open {safe}: no browser took it ({argv[0]} exit {code})"))


def _watch(root: Any, proc: subprocess.Popen[bytes], failed: Callable[[int], None]) -> None:
    def check(left: int) -> None:
        code = proc.poll()
        if code is None:
            if left > 0:
                root.after(250, check, left - 1)
            return
        if code != 0:
            failed(code)
    root.after(250, check, 120)


def open_file(root: Any, path: Path, say: Say) -> None:
    """Open ``path`` with the desktop's opener; say so (with the path) when it fails."""
    if not path.exists():
        say(f"Could not open {path}: the file does not exist")
        return
    argv = opener_argv(path, sys.platform)
    if argv is None:
        from trayapp.tray.opener import open_path
        if not open_path(path):
            say(f"Could not open {path}")
        return
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        say(f"Could not open {path}: {argv[0]} is missing ({exc.strerror or 'not found'})")
        return
    _watch(root, proc, lambda code: say(
        f"Could not open {path}: no program for it ({argv[0]} exit {code})"))


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
    _watch(root, proc, lambda code: say(
        f"Preferences did not open (exit {code}); edit {config or 'the config file'} instead"))
