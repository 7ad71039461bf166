"""The API probe: one HTTP outcome -> a :class:`ProbeResult`. Pure.

The rules are one table, :data:`trayapp.core.verdict.TABLE` (first match wins), shared
with the model probes; :func:`classify` reads the outcome into facts
(:func:`trayapp.core.answer.read`) and judges them. In short: an HTTP answer that is
not 5xx within ``slow_ms`` is operational (a keyless 401/403 is the healthy answer),
slower is degraded, 503/529 degraded, other 5xx a partial outage, no connection a
major outage; a bot challenge or a broken status is unknown. A 429 is never "your
quota" without a key (unknown alone: the page decides; the vendor's when other
services answer 429 too or the page has an incident); with a key the vendor's
rate-limit headers tell your limit from the vendor throttling.
Whether the *laptop* is online is decided separately (connectivity check):
when it is not, no probe result counts.

"It's your side": failures that point to this computer or its network get a reason
code (:data:`YOUR_SIDE`) and say what to check, and never count as a vendor outage:
``dns``, ``tls_intercepted``, ``clock``, ``proxy``, ``not_running`` (a local server
that refuses the connection) and, with the user's key, ``key_refused`` and ``quota``.
With a key, 401 and 429 still prove the front door answers: operational, marked.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime, tzinfo

from trayapp.core.answer import NetContext, is_challenge, read
from trayapp.core.verdict import YOUR_SIDE, probe_result
from trayapp.domain.model import ProbeResult
from trayapp.domain.outcome import Outcome, http_date

__all__ = ["YOUR_SIDE", "NetContext", "classify", "clock_skew", "is_challenge"]


def clock_skew(dates: Iterable[str], now: datetime) -> float | None:
    """Seconds this computer's clock is ahead of the servers' ``Date`` headers
    (negative: behind); the median of the answers, None without any."""
    skews = []
    for value in dates:
        when = http_date(value)
        if when is not None:
            skews.append((now - when).total_seconds())
    return statistics.median(skews) if skews else None


def classify(outcome: Outcome, slow_ms: int, ctx: NetContext | None = None,
             now: datetime | None = None, tz: tzinfo | None = None) -> ProbeResult:
    """``ctx``: what the rest of the cycle says (None: judge this outcome alone);
    ``now`` and ``tz``: for the times in the words (a limit's reset)."""
    return probe_result(read(outcome, ctx or NetContext(), slow_ms), now, tz)
