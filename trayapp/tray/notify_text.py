"""Notification text made safe for each platform's notification service. Pure.

Control characters, ANSI escapes, bidi overrides and markup are removed
(markup is turned into its text, never rendered); lengths respect the
platform (Windows toasts: title 64, body 256 characters). On Linux the body
is then XML-escaped, because freedesktop notification servers (dunst, GNOME)
may interpret body markup: a literal ``<b>`` from a feed must show as text.
"""

from __future__ import annotations

from trayapp.core.textclean import block, line
from trayapp.domain.text import one_line, truncate

LIMITS: dict[str, tuple[int, int]] = {"win32": (64, 256), "darwin": (120, 400)}
DEFAULT_LIMITS = (120, 500)



def for_platform(title: str, body: str, platform: str) -> tuple[str, str]:
    title_max, body_max = LIMITS.get(platform, DEFAULT_LIMITS)
    clean_title = line(title, title_max)
    lines = [one_line(text, body_max) for text in block(body).split("\n")]
    clean_body = truncate("\n".join(text for text in lines if text), body_max)
    if platform.startswith("linux") or platform.startswith("freebsd"):
        clean_body = (clean_body.replace("&", "&amp;").replace("<", "&lt;")
                      .replace(">", "&gt;"))
    return clean_title, clean_body
