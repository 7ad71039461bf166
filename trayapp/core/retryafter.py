"""Retry-After: when a vendor that asked us to back off may be asked again. Pure.

An answer 429, 503 or 529 (to an API probe, a model probe or a status feed)
with a ``Retry-After`` header asks that nothing more be sent to that URL before
then (RFC 9110, 10.2.3). :func:`wait_seconds` reads it, ``now`` passed in:

* delta-seconds (``Retry-After: 30``): that many seconds from the answer;
* an HTTP-date (``Retry-After: Wed, 21 Oct 2026 07:28:00 GMT``): that time, read
  against the answer's own ``Date`` when it has one (so a wrong clock here
  neither shortens nor stretches the wait), else against ``now``;
* bounded to :data:`MAX_WAIT` (1 h): a vendor cannot silence trayapp for longer;
* garbage, a negative number, a date already past, or another status: no wait.

The poller (:mod:`trayapp.runtime.poller`) obeys it: no request to that URL
before then; meanwhile the last answer stands (its level, marked ``held``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from trayapp.domain.outcome import Fetched, Outcome, http_date

MAX_WAIT = 3600.0                       # seconds
ASKING = frozenset({429, 503, 529})     # the answers whose Retry-After is obeyed


def wait_seconds(outcome: Outcome, now: datetime) -> float | None:
    """Seconds not to ask this URL again (at most :data:`MAX_WAIT`), or None."""
    if not isinstance(outcome, Fetched) or outcome.status not in ASKING:
        return None
    value = outcome.header("retry-after").strip()
    if not value or len(value) > 64:
        return None
    if value.isascii() and value.isdigit():
        seconds = float(int(value))
    else:
        until = http_date(value)
        if until is None:
            return None
        sent = outcome.header_date("date") or now
        try:
            seconds = (until - sent).total_seconds()
        except OverflowError:
            return None
    if seconds <= 0:
        return None
    return min(seconds, MAX_WAIT)


def retry_at(outcome: Outcome, now: datetime) -> datetime | None:
    """The time (on this clock) before which this URL is not asked again, or None."""
    seconds = wait_seconds(outcome, now)
    return None if seconds is None else now + timedelta(seconds=seconds)


def wait_words(until: datetime | None, now: datetime, tz: tzinfo | None = None) -> str:
    """``"the vendor asked to wait until 14:05"`` while ``until`` is ahead, else ``""``."""
    if until is None or until <= now:
        return ""
    try:
        local, today = until.astimezone(tz), now.astimezone(tz)
    except (OverflowError, ValueError, OSError):
        return ""
    same_day = local.date() == today.date()
    fmt = ("%H:%M:%S" if until - now < timedelta(minutes=2) else "%H:%M") if same_day \
        else "%Y-%m-%d %H:%M"
    return f"the vendor asked to wait until {local.strftime(fmt)}"
