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


WEEK_DAYS = 7


def _days(at: datetime, now: datetime, tz: tzinfo | None) -> int:
    """Calendar days from ``at`` to ``now`` in ``tz`` (negative: ahead). Raises on
    times at datetime's limits."""
    return (now.astimezone(tz).date() - at.astimezone(tz).date()).days


def when(at: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """A moment as people say it, as precise as its distance needs: ``"14:03"`` today,
    ``"Mon 14:03"`` within a week either way, a date further back (``"2 Apr 2020"``),
    a date and time further ahead (``"2 Apr 2027 14:00"``); ``"?"`` when unknowable."""
    try:
        local, days = at.astimezone(tz), _days(at, now, tz)
    except _BROKEN:
        return "?"
    if days == 0:
        return local.strftime("%H:%M")
    if -WEEK_DAYS < days < WEEK_DAYS:
        return local.strftime("%a %H:%M")
    date = f"{local.day} {local.strftime('%b %Y')}"       # no %-d: Windows has none
    return date if days > 0 else f"{date} {local.strftime('%H:%M')}"


def since(at: datetime, now: datetime, tz: tzinfo | None, span: str) -> str:
    """``"since 14:03 (38 min)"``; a week or more back only the date (``"since 2 Apr
    2020"``: "2439 d" says nothing more); ``span`` is the time since, in words."""
    try:
        long_ago = _days(at, now, tz) >= WEEK_DAYS
    except _BROKEN:
        long_ago = False
    return f"since {when(at, now, tz)}" + ("" if long_ago or not span else f" ({span})")
