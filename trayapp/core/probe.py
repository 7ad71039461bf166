"""The API probe's rules: one HTTP outcome -> a :class:`ProbeResult`. Pure.

An HTTP answer proves the vendor's front door works (DNS, TLS, CDN, API):
  * any answer that is not 5xx, within ``slow_ms``     -> operational
    (401/403 without a key is the expected, healthy answer; 429 is the
    user's own rate limit or quota: operational, marked ``rate_limited``)
  * such an answer slower than ``slow_ms``              -> degraded
  * 529 or 503 (overloaded)                             -> degraded
  * any other 5xx                                       -> partial_outage
  * timeout, refused, TLS or DNS failure                -> major_outage
  * a bot-challenge HTML page (Cloudflare)              -> unknown ("blocked")
  * a status outside 100-599 (no such HTTP answer)      -> unknown (a broken answer)
Whether the *laptop* is online is decided separately (connectivity check):
when it is not, no probe result counts.

"It's your side" (:func:`your_side`): failures that point to this computer or
its network get a reason code and say what to check, and never count as a
vendor outage: ``dns`` (this vendor's name does not resolve while other
names do), ``tls_intercepted`` (a certificate from an unknown issuer: a
proxy, antivirus or captive network intercepts HTTPS), ``clock`` (a
certificate not yet valid, or expired while this clock runs ahead of the
servers' ``Date``), ``proxy`` (407 or a proxy's error page), ``not_running``
(connection refused by a service whose every URL is on this machine: a local
server that is not running; never an outage, never retried), and, with the
user's key sent, ``key_refused`` (401/403) and ``quota`` (429). With a key,
401 and 429 still prove the front door answers: operational, marked; the
others say nothing about the vendor: ``unknown``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from trayapp.domain.levels import Level
from trayapp.domain.model import NOT_RUNNING, ProbeResult
from trayapp.domain.outcome import FailKind, Fetched, FetchFailed, Outcome
from trayapp.sources.common import looks_like_challenge

_NETWORK_FAILURES = {FailKind.TIMEOUT, FailKind.REFUSED, FailKind.DNS, FailKind.TLS}


CLOCK_SKEW_S = 300          # a clock this far off the servers' is "wrong"

# What each reason means, and what to check: one line each.
YOUR_SIDE = {
    "dns": "this computer cannot resolve the API's name while other names resolve: "
           "check DNS, VPN or the hosts file",
    "tls_intercepted": "the API's certificate is not trusted (unknown issuer): a proxy, "
                       "antivirus or network is intercepting HTTPS",
    "clock": "the API's certificate looks not yet valid or expired: check this "
             "computer's date and time",
    "proxy": "the proxy refused the request: check the proxy settings (HTTPS_PROXY) "
             "or its login",
    "key_refused": "your key was refused: check the API key",
    "quota": "your quota or rate limit is used up (your key), not an outage",
    "request_refused": "the API refused the request: check the model name",
    "not_running": "not running: nothing listens on its port on this machine (start it, "
                   "or remove it from the config); not an outage",
}


@dataclass(frozen=True, slots=True)
class NetContext:
    """What the rest of the cycle tells about one probe's failure."""

    keyed: bool = False                  # the user's key was sent
    others_resolve: bool = False         # another request of this cycle resolved its host
    clock_skew_s: float | None = None    # this clock minus the servers' (their Date header)
    local: bool = False                  # every URL of this service is on this machine


def clock_skew(dates: Iterable[str], now: datetime) -> float | None:
    """Seconds this computer's clock is ahead of the servers' ``Date`` headers
    (negative: behind); the median of the answers, None without any."""
    skews = []
    for value in dates:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            continue
        if when.tzinfo is not None:
            skews.append((now - when).total_seconds())
    return statistics.median(skews) if skews else None


def _skew_words(skew: float | None) -> str:
    if skew is None or abs(skew) < CLOCK_SKEW_S:
        return ""
    minutes = abs(skew) / 60
    amount = f"{minutes / 60:.0f} h" if minutes >= 90 else f"{minutes:.0f} min"
    return f" (this clock is {amount} {'ahead of' if skew > 0 else 'behind'} the servers')"


def _proxy_page(fetched: Fetched) -> bool:
    """An error page made by a proxy between us and the API, not the API's own."""
    status = fetched.header("proxy-status").lower()
    return fetched.status == 407 or bool(fetched.header("x-squid-error")) or \
        ("error=" in status and fetched.status >= 400)


def your_side(outcome: Outcome, ctx: NetContext) -> tuple[str, str] | None:
    """(reason code, one line) when the failure is this computer's or network's."""
    def why(code: str, lead: str, extra: str = "") -> tuple[str, str]:
        return code, f"{lead}: {YOUR_SIDE[code]}{extra}"

    if isinstance(outcome, FetchFailed):
        if outcome.kind is FailKind.REFUSED and ctx.local:
            return why(NOT_RUNNING, "connection refused")
        if outcome.kind is FailKind.PROXY:
            return why("proxy", "proxy error" + (" (HTTP 407)" if outcome.cause == "407"
                                                 else ""))
        if outcome.kind is FailKind.DNS and ctx.others_resolve:
            return why("dns", "name not found (DNS)")
        if outcome.kind is FailKind.TLS:
            skew = ctx.clock_skew_s
            if outcome.cause == "untrusted":
                return why("tls_intercepted", "TLS certificate not trusted")
            if outcome.cause == "not_yet_valid":
                return why("clock", "TLS certificate not yet valid", _skew_words(skew))
            if outcome.cause == "expired" and skew is not None and skew > CLOCK_SKEW_S:
                return why("clock", "TLS certificate expired", _skew_words(skew))
        return None
    if _proxy_page(outcome):
        return why("proxy", f"proxy error (HTTP {outcome.status})")
    if ctx.keyed and outcome.status in (401, 403):
        return why("key_refused", f"HTTP {outcome.status} with your key")
    if ctx.keyed and outcome.status == 429:
        return why("quota", "HTTP 429 with your key")
    return None


def is_challenge(fetched: Fetched) -> bool:
    return fetched.header("cf-mitigated").lower() == "challenge" or \
        looks_like_challenge(fetched.body)


def classify(outcome: Outcome, slow_ms: int, ctx: NetContext | None = None) -> ProbeResult:
    """``ctx``: what the rest of the cycle says (None: judge this outcome alone)."""
    mine = your_side(outcome, ctx or NetContext())
    if mine is not None:
        reason, text = mine
        answered = isinstance(outcome, Fetched) and reason in ("key_refused", "quota")
        return ProbeResult(
            Level.OPERATIONAL if answered else Level.UNKNOWN, f"API answers; {text}"
            if answered else text,
            status_code=outcome.status if isinstance(outcome, Fetched) else None,
            latency_ms=outcome.elapsed_ms or None,
            error=text if not answered else None,
            rate_limited=reason == "quota", your_side=reason)
    if isinstance(outcome, FetchFailed):
        if outcome.kind in _NETWORK_FAILURES:
            return ProbeResult(Level.MAJOR_OUTAGE, f"API unreachable: {outcome.words}",
                               latency_ms=outcome.elapsed_ms or None, error=outcome.message)
        return ProbeResult(Level.UNKNOWN, f"API probe inconclusive: {outcome.words}",
                           latency_ms=outcome.elapsed_ms or None, error=outcome.message)
    code, ms = outcome.status, outcome.elapsed_ms

    def answer(level: Level, detail: str, error: str | None = None,
               rate_limited: bool = False) -> ProbeResult:
        return ProbeResult(level, detail, status_code=code, latency_ms=ms, error=error,
                           rate_limited=rate_limited)

    if not 100 <= code <= 599:
        return answer(Level.UNKNOWN,
                      f"API probe inconclusive: broken HTTP answer (status {code})",
                      f"HTTP status {code} out of range")
    if is_challenge(outcome):
        return answer(Level.UNKNOWN, f"blocked by a bot challenge (HTTP {code})",
                      "bot challenge")
    if code in (503, 529):
        return answer(Level.DEGRADED, f"API overloaded (HTTP {code})", f"HTTP {code}")
    if code >= 500:
        return answer(Level.PARTIAL_OUTAGE, f"API server errors (HTTP {code})", f"HTTP {code}")
    if ms > slow_ms:
        return answer(Level.DEGRADED, f"API slow: HTTP {code} in {ms} ms")
    if code == 429:
        return answer(Level.OPERATIONAL,
                      "API up; you are rate limited (HTTP 429: your quota, not an outage)",
                      rate_limited=True)
    return answer(Level.OPERATIONAL, f"API answers: HTTP {code} in {ms} ms")
