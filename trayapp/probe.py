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
"""

from __future__ import annotations

from trayapp.levels import Level
from trayapp.model import ProbeResult
from trayapp.outcome import FailKind, Fetched, FetchFailed, Outcome
from trayapp.sources.common import looks_like_challenge

_NETWORK_FAILURES = {FailKind.TIMEOUT, FailKind.REFUSED, FailKind.DNS, FailKind.TLS}


def is_challenge(fetched: Fetched) -> bool:
    return fetched.header("cf-mitigated").lower() == "challenge" or \
        looks_like_challenge(fetched.body)


def classify(outcome: Outcome, slow_ms: int) -> ProbeResult:
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
