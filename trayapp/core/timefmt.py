"""Human time wording for tray text ("4 min ago", local clock times). Pure.

Never raises: a time at datetime's limits (``datetime.max`` from a hostile
feed or state) cannot be shifted to the local zone or subtracted without an
OverflowError; such a time is shown as unknown ("" or "?") instead.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

_BROKEN = (OverflowError, ValueError, OSError, TypeError)
JUST_NOW = "just now"


def ago(then: datetime, now: datetime) -> str:
    """``"just now"``, ``"4 min ago"``, ``"3 h ago"``, ``"2 d ago"``; ``"?"`` when unknowable."""
    try:
        seconds = (now - then).total_seconds()
    except _BROKEN:
        return "?"
    if seconds < 60:
        return JUST_NOW
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} d ago"


def local_time(value: datetime, tz: tzinfo | None = None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``"2024-05-01 14:03"`` in ``tz`` (default: this machine's zone); ``""`` when unknowable."""
    try:
        return value.astimezone(tz).strftime(fmt)
    except _BROKEN:
        return ""
