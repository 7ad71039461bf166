"""Human time wording for tray text ("4 min ago", local clock times). Pure."""

from __future__ import annotations

from datetime import datetime, tzinfo


def ago(then: datetime, now: datetime) -> str:
    """``"just now"``, ``"4 min ago"``, ``"3 h ago"``, ``"2 d ago"``."""
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} d ago"


def local_time(value: datetime, tz: tzinfo | None = None) -> str:
    """``"2024-05-01 14:03"`` in ``tz`` (default: this machine's zone)."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
