"""One verdict table for every probe and model answer. Pure; ``now`` is passed in.

:func:`judge` goes down :data:`TABLE` and takes the first row whose conditions hold
for the :class:`~trayapp.domain.facts.Facts` (read by :func:`trayapp.core.answer.read`
from the outcome, the key, and what the rest of the cycle saw). The order is the rule:

1. no HTTP answer: a proxy, a local server that is not running, "your side" (DNS,
   TLS interception, the clock) before "unreachable";
2. a broken status, a proxy's page or a bot challenge before any key or quota rule;
3. your key refused, your billing or quota as the vendor's error says it;
4. 429: the vendor's rate-limit headers first (none left: your limit, with its reset;
   some left: the vendor throttling), then the cycle (other services answering 429,
   an incident on the page: the vendor shedding load), then with a key your quota,
   without one "rate limited from this network" (there is no quota without a key);
5. overloaded, server errors;
6. model answers: a name the API does not know (404, or an error naming the model),
   a generic error, an empty or content-less 200, an answer from another model family
   (a silent downgrade), slow, fine;
7. the probe: slow, fine.

The docs page ``docs/reference/verdicts.md`` is generated from this table, and the
tests run every row's examples through the real reading and judging.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo

from trayapp.core.answer import NetContext
from trayapp.core.verdict_kit import Example, Row, Then, Verdict, When, words
from trayapp.domain.facts import Asked, Blame, Body, Facts, Left, Says
from trayapp.domain.levels import Level
from trayapp.domain.model import ModelResult, ProbeResult
from trayapp.domain.outcome import FailKind, Fetched, FetchFailed

# What each "your side" reason means, and what to check: one line each.
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
    "key_unusable": "your key cannot go in an HTTP header, so nothing was sent: check the "
                    "API key",
    "quota": "your quota or rate limit is used up (your key), not an outage",
    "request_refused": "the API refused the request: check the model name",
    "not_running": "not running (nothing listens on this machine's port)",
}

# ------------------------------------------------------------------ examples' inputs
# The shapes the vendors document (docs.claude.com/en/api/errors and "Rate limits";
# OpenAI's error codes and x-ratelimit-* headers; Gemini's troubleshooting table), as
# collected in the project's probe notes; the captured payloads (a 529, a keyless 429,
# a Cloudflare challenge) are in tests/fixtures/edge-cases.

URL = "https://api.example.com/v1/models"
KEY = NetContext(keyed=True)
OPUS = "claude-opus-4-1"


def _got(status: int, body: bytes = b"{}", headers: dict[str, str] | None = None,
         ms: int = 120) -> Fetched:
    return Fetched(URL, status, body, ms, headers or {})


def _failed(kind: FailKind, cause: str = "") -> FetchFailed:
    return FetchFailed(URL, kind, f"{kind}", 30, cause)


def _error(kind: str, message: str) -> bytes:
    """Anthropic's error envelope (docs.claude.com/en/api/errors)."""
    return (b'{"type":"error","error":{"type":"%s","message":"%s"},'
            b'"request_id":"req_011CZAau32QzxDkriovTaFCB"}' % (kind.encode(), message.encode()))


def _openai(code: str, message: str, kind: str = "invalid_request_error") -> bytes:
    return (b'{"error":{"message":"%s","type":"%s","param":null,"code":"%s"}}'
            % (message.encode(), kind.encode(), code.encode()))


def _message(model: str) -> bytes:
    return (b'{"id":"msg_01","type":"message","role":"assistant","model":"%s",'
            b'"content":[{"type":"text","text":"H"}],"stop_reason":"max_tokens"}'
            % model.encode())


CHALLENGE = (b"<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>"
             b"</head><body>challenge-platform</body></html>")
GEMINI_BAD_KEY = (b'{"error":{"code":400,"message":"API key not valid. Please pass a valid '
                  b'API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.'
                  b'googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}')
RATE_LIMIT = _error("rate_limit_error", "Number of request tokens has exceeded your "
                    "per-minute rate limit")
NO_TOKENS_LEFT = {"anthropic-ratelimit-requests-remaining": "41",
                  "anthropic-ratelimit-tokens-remaining": "0",
                  "anthropic-ratelimit-tokens-reset": "2026-12-02T16:00:00Z",
                  "retry-after": "30"}
REQUESTS_LEFT = {"x-ratelimit-remaining-requests": "4999",
                 "x-ratelimit-remaining-tokens": "159000",
                 "x-ratelimit-reset-requests": "12ms"}


def _ex(outcome: Fetched | FetchFailed, ctx: NetContext | None = None, model: str = "",
        slow_ms: int = 3000) -> Example:
    return Example(outcome, ctx or NetContext(), model, slow_ms)


YOURS, VENDOR, UNSURE, NOBODY = Blame.YOURS, Blame.VENDOR, Blame.UNKNOWN, Blame.NONE
PROBE, MODEL = Asked.PROBE, Asked.MODEL
OK, DEGRADED, PARTIAL, MAJOR, UNKNOWN = (Level.OPERATIONAL, Level.DEGRADED,
                                         Level.PARTIAL_OUTAGE, Level.MAJOR_OUTAGE,
                                         Level.UNKNOWN)
NETWORK = (FailKind.TIMEOUT, FailKind.REFUSED, FailKind.DNS, FailKind.TLS)
ANY_4XX, ANY_2XX = range(400, 500), range(200, 300)

TABLE: tuple[Row, ...] = (
    # ---------------------------------------------------------------- no HTTP answer
    Row("proxy_refused", "the proxy refused the connection or the tunnel",
        When(failure=(FailKind.PROXY,)),
        Then(UNKNOWN, YOURS, "proxy", "proxy error{via}: {why}", "proxy"),
        (_ex(_failed(FailKind.PROXY, "407")),)),
    Row("not_running", "connection refused, and every URL of the service is on this machine",
        When(failure=(FailKind.REFUSED,), local=True),
        Then(UNKNOWN, YOURS, "not_running", "{why}", "not_running"),
        (_ex(_failed(FailKind.REFUSED), NetContext(local=True)),
         _ex(_failed(FailKind.REFUSED), NetContext(keyed=True, local=True), "llama3.2"))),
    Row("key_unusable", "the user's key is not printable ASCII (a bidi mark, a look-alike "
        "letter pasted with it): not sent",
        When(failure=(FailKind.KEY_UNUSABLE,)),
        Then(UNKNOWN, YOURS, "key_unusable", "{detail}: {why}", "key_unusable"),
        (_ex(FetchFailed(URL, FailKind.KEY_UNUSABLE, "API keys are printable ASCII; this "
                         "one has U+202E at position 12 ($ANTHROPIC_API_KEY)"), KEY),
         _ex(FetchFailed(URL, FailKind.KEY_UNUSABLE, "API keys are printable ASCII; this "
                         "one has U+00A0 at position 3 (the keyring)"), KEY, OPUS))),
    Row("dns_here", "the API's name does not resolve while other names of this cycle do",
        When(failure=(FailKind.DNS,), others_resolve=True),
        Then(UNKNOWN, YOURS, "dns", "name not found (DNS): {why}", "dns"),
        (_ex(_failed(FailKind.DNS), NetContext(others_resolve=True)),)),
    Row("tls_untrusted", "a certificate from an unknown issuer (self-signed in the chain)",
        When(failure=(FailKind.TLS,), cause=("untrusted",)),
        Then(UNKNOWN, YOURS, "tls_intercepted", "TLS certificate not trusted: {why}",
             "tls_intercepted"),
        (_ex(_failed(FailKind.TLS, "untrusted")),)),
    Row("tls_not_yet_valid", "a certificate not yet valid",
        When(failure=(FailKind.TLS,), cause=("not_yet_valid",)),
        Then(UNKNOWN, YOURS, "clock", "TLS certificate not yet valid: {why}{skew}", "clock"),
        (_ex(_failed(FailKind.TLS, "not_yet_valid")),)),
    Row("tls_expired_clock_ahead", "an expired certificate while this clock runs ahead",
        When(failure=(FailKind.TLS,), cause=("expired",), clock_ahead=True),
        Then(UNKNOWN, YOURS, "clock", "TLS certificate expired: {why}{skew}", "clock"),
        (_ex(_failed(FailKind.TLS, "expired"), NetContext(clock_skew_s=4 * 3600)),)),
    Row("model_timeout", "a model that does not answer in time",
        When(asked=MODEL, failure=(FailKind.TIMEOUT,)),
        Then(MAJOR, VENDOR, "unreachable", "not responding (timed out)"),
        (_ex(_failed(FailKind.TIMEOUT), KEY, OPUS),)),
    Row("unreachable", "timeout, refused, DNS or TLS failure (the laptop is online)",
        When(failure=NETWORK),
        Then(MAJOR, VENDOR, "unreachable", "{api}unreachable: {failure}"),
        (_ex(_failed(FailKind.TIMEOUT)), _ex(_failed(FailKind.REFUSED)),
         _ex(_failed(FailKind.DNS)), _ex(_failed(FailKind.TLS, "expired")),
         _ex(_failed(FailKind.REFUSED), KEY, OPUS))),
    Row("failed_other", "a bad redirect, an answer too large, a broken HTTP answer",
        When(answered=False),
        Then(UNKNOWN, UNSURE, "inconclusive", "{api_probe}inconclusive: {failure}"),
        (_ex(_failed(FailKind.BAD_REDIRECT)), _ex(_failed(FailKind.TOO_LARGE)))),
    # ---------------------------------------------------------------- before any key rule
    Row("broken_status", "a status no HTTP answer has",
        When(answered=True, status_valid=False),
        Then(UNKNOWN, UNSURE, "broken_answer",
             "{api_probe}inconclusive: broken HTTP answer (status {code})"),
        (_ex(_got(600)), _ex(_got(0)))),
    Row("proxy_page", "an error page made by a proxy (407, Squid, Proxy-Status)",
        When(body=(Body.PROXY_PAGE,)),
        Then(UNKNOWN, YOURS, "proxy", "proxy error (HTTP {code}): {why}", "proxy"),
        (_ex(_got(503, b"<html>ERROR: The requested URL could not be retrieved</html>",
                  {"x-squid-error": "ERR_CONNECT_FAIL 111"}), KEY),)),
    Row("challenge", "a bot challenge (Cloudflare \"Just a moment...\"), with or without a key",
        When(body=(Body.CHALLENGE,)),
        Then(UNKNOWN, UNSURE, "blocked", "blocked by a bot challenge (HTTP {code})"),
        (_ex(_got(403, CHALLENGE), KEY), _ex(_got(403, b"", {"cf-mitigated": "challenge"})),
         _ex(_got(403, CHALLENGE), KEY, OPUS))),
    # ---------------------------------------------------------------- your key, your account
    Row("probe_key_refused", "401/403 to the probe with your key",
        When(asked=PROBE, keyed=True, status=(401, 403)),
        Then(OK, YOURS, "key_refused", "API answers; HTTP {code} with your key: {why}",
             "key_refused"),
        (_ex(_got(401, _error("authentication_error", "invalid x-api-key")), KEY),)),
    Row("model_key_refused", "401/403 to a model with your key",
        When(asked=MODEL, keyed=True, status=(401, 403)),
        Then(UNKNOWN, YOURS, "key_refused", "HTTP {code} with your key: {why}", "key_refused"),
        (_ex(_got(401, _error("authentication_error", "invalid x-api-key")), KEY, OPUS),)),
    Row("probe_key_invalid", "the error says the key is invalid (Gemini: 400 API_KEY_INVALID)",
        When(asked=PROBE, keyed=True, status=(ANY_4XX,), says=(Says.KEY_REFUSED,)),
        Then(OK, YOURS, "key_refused", "API answers; HTTP {code} with your key: {why}",
             "key_refused"),
        (_ex(_got(400, GEMINI_BAD_KEY), KEY),)),
    Row("model_key_invalid", "a model's error says the key is invalid",
        When(asked=MODEL, keyed=True, status=(ANY_4XX,), says=(Says.KEY_REFUSED,)),
        Then(UNKNOWN, YOURS, "key_refused", "HTTP {code} with your key: {why}", "key_refused"),
        (_ex(_got(400, GEMINI_BAD_KEY), KEY, "gemini-2.5-flash"),)),
    Row("probe_billing", "the error says your quota or billing (insufficient_quota, credit)",
        When(asked=PROBE, keyed=True, status=(ANY_4XX,), says=(Says.QUOTA,)),
        Then(OK, YOURS, "quota", "API answers; HTTP {code} with your key:{said}: your limit, "
             "not an outage", "quota"),
        (_ex(_got(429, _openai("insufficient_quota", "You exceeded your current quota, please "
                               "check your plan and billing details.", "insufficient_quota")),
             KEY),)),
    Row("model_billing", "a model's error says your quota or billing",
        When(asked=MODEL, keyed=True, status=(ANY_4XX,), says=(Says.QUOTA,)),
        Then(UNKNOWN, YOURS, "quota", "HTTP {code} with your key:{said}: your limit, "
             "not an outage", "quota"),
        (_ex(_got(400, _error("invalid_request_error", "Your credit balance is too low to "
                              "access the Anthropic API.")), KEY, OPUS),
         _ex(_got(429, _openai("insufficient_quota", "You exceeded your current quota.",
                               "insufficient_quota"), REQUESTS_LEFT), KEY, "gpt-4o"))),
    # ---------------------------------------------------------------- 429
    Row("probe_limit_used", "429 with your key, and the vendor's headers say none left",
        When(asked=PROBE, keyed=True, status=(429,), left=(Left.NONE,)),
        Then(OK, YOURS, "quota", "API answers; HTTP 429 with your key: your limit{resets} "
             "(the vendor's rate-limit headers say none left), not an outage", "quota"),
        (_ex(_got(429, RATE_LIMIT, NO_TOKENS_LEFT), KEY),)),
    Row("model_limit_used", "a model's 429 with your key, the headers say none left",
        When(asked=MODEL, keyed=True, status=(429,), left=(Left.NONE,)),
        Then(UNKNOWN, YOURS, "quota", "HTTP 429 with your key: your limit{resets} "
             "(the vendor's rate-limit headers say none left), not an outage", "quota"),
        (_ex(_got(429, RATE_LIMIT, NO_TOKENS_LEFT), KEY, OPUS),
         _ex(_got(429, _openai("rate_limit_exceeded", "Rate limit reached for requests",
                               "requests"),
                  {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "6m0s",
                   "date": "Wed, 02 Dec 2026 15:54:00 GMT"}), KEY, "gpt-4o"))),
    Row("vendor_throttling", "429 with your key while its headers say requests are left",
        When(keyed=True, status=(429,), left=(Left.SOME,)),
        Then(DEGRADED, VENDOR, "throttled", "{api}throttled by the vendor (HTTP 429 while "
             "its rate-limit headers say your key has requests left)"),
        (_ex(_got(429, RATE_LIMIT, REQUESTS_LEFT), KEY),
         _ex(_got(429, RATE_LIMIT, REQUESTS_LEFT), KEY, OPUS))),
    Row("shed_load_everywhere", "429 while other services answer 429 in the same cycle",
        When(status=(429,), others_429=True),
        Then(DEGRADED, VENDOR, "shedding_load", "{api}rate limited (HTTP 429) like other "
             "services this cycle: the vendors are shedding load"),
        (_ex(_got(429, RATE_LIMIT), NetContext(others_429=True)),
         _ex(_got(429, RATE_LIMIT), NetContext(keyed=True, others_429=True), OPUS))),
    Row("shed_load_incident", "429 while the service's status page has an incident",
        When(status=(429,), page_incident=True),
        Then(DEGRADED, VENDOR, "shedding_load", "{api}rate limited (HTTP 429) while the "
             "status page has an incident: the vendor is shedding load"),
        (_ex(_got(429, RATE_LIMIT), NetContext(page_incident=True)),
         _ex(_got(429), NetContext(keyed=True, page_incident=True)))),
    Row("probe_rate_limited_key", "429 with your key, nothing else says whose",
        When(asked=PROBE, keyed=True, status=(429,)),
        Then(OK, YOURS, "quota", "API answers; HTTP 429 with your key: {why}", "quota"),
        (_ex(_got(429, RATE_LIMIT), KEY),)),
    Row("model_rate_limited_key", "a model's 429 with your key, nothing else says whose",
        When(asked=MODEL, keyed=True, status=(429,)),
        Then(UNKNOWN, YOURS, "quota", "HTTP 429 with your key: {why}", "quota"),
        (_ex(_got(429, RATE_LIMIT), KEY, OPUS),)),
    Row("rate_limited_here", "429 without a key, alone (there is no quota without a key)",
        When(status=(429,)),
        Then(UNKNOWN, UNSURE, "rate_limited_here", "{api}rate limited from this network "
             "(HTTP 429 to a request without a key; the status page decides)"),
        (_ex(_got(429, b'{"error":{"type":"rate_limit_error","message":"Rate limited. '
                       b'Please try again later."}}')),)),
    # ---------------------------------------------------------------- the vendor's errors
    Row("overloaded", "503 or 529 (overloaded)",
        When(status=(503, 529)),
        Then(DEGRADED, VENDOR, "overloaded", "{api}overloaded (HTTP {code})"),
        (_ex(_got(529, _error("overloaded_error", "Overloaded"))),
         _ex(_got(503), KEY, "gemini-2.5-flash"))),
    Row("server_errors", "any other 5xx",
        When(status=(range(500, 600),)),
        Then(PARTIAL, VENDOR, "server_errors", "{api}server errors (HTTP {code})"),
        (_ex(_got(500, _error("api_error", "Internal server error"))),
         _ex(_got(502), KEY, OPUS))),
    # ---------------------------------------------------------------- model answers
    Row("model_not_found", "404 to a model: the URL or the model name is wrong",
        When(asked=MODEL, status=(404,)),
        Then(UNKNOWN, YOURS, "request_refused", "HTTP {code}{said}: {why}", "request_refused"),
        (_ex(_got(404, _error("not_found_error", "model: claude-opus-9")), KEY,
             "claude-opus-9"),)),
    Row("model_unknown", "a model's 4xx whose error names the model unknown or invalid",
        When(asked=MODEL, status=(ANY_4XX,), says=(Says.MODEL_UNKNOWN,)),
        Then(UNKNOWN, YOURS, "request_refused", "HTTP {code}{said}: {why}", "request_refused"),
        (_ex(_got(400, _openai("model_not_found", "The model `gpt-9` does not exist or you "
                               "do not have access to it.")), KEY, "gpt-9"),
         _ex(_got(400, _error("invalid_request_error", "invalid model: claude-x")), KEY,
             "claude-x"))),
    Row("model_failing", "a model's 400/422 with a generic message (\"Error\") or none",
        When(asked=MODEL, status=(400, 422), says=(Says.GENERIC, Says.NOTHING,
                                                   Says.OVERLOADED)),
        Then(PARTIAL, VENDOR, "model_failing", "failing: HTTP {code}{said}"),
        (_ex(_got(400, _error("invalid_request_error", "Error")), KEY, OPUS),
         _ex(_got(422, b""), KEY, OPUS))),
    Row("model_refused", "a model's 400/422 with a specific message about something else",
        When(asked=MODEL, status=(400, 422)),
        Then(UNKNOWN, UNSURE, "refused", "the API refused the request: HTTP {code}{said}"),
        (_ex(_got(400, _error("invalid_request_error", "max_tokens: Field required")), KEY,
             OPUS),)),
    Row("model_empty", "a model's 2xx with an empty body",
        When(asked=MODEL, status=(ANY_2XX,), body=(Body.EMPTY,)),
        Then(PARTIAL, VENDOR, "empty_answer", "failing: HTTP {code} with an empty body"),
        (_ex(_got(200, b""), KEY, OPUS),)),
    Row("model_no_content", "a model's 2xx without content, choices or candidates",
        When(asked=MODEL, status=(ANY_2XX,), body=(Body.JSON, Body.OTHER)),
        Then(PARTIAL, VENDOR, "no_content", "failing: HTTP {code} without an answer in it"),
        (_ex(_got(200, b'{"id":"msg_01","type":"message"}'), KEY, OPUS),
         _ex(_got(200, b'{"choices":[]}'), KEY, "gpt-4o"),
         _ex(_got(200, b"<html>upstream</html>"), KEY, OPUS))),
    Row("downgrade", "answered by another model family (a silent downgrade)",
        When(asked=MODEL, status=(ANY_2XX,), other_family=True, downgrade=("degrade",)),
        Then(DEGRADED, VENDOR, "downgrade", "answered by {answered_by} (asked for {model})"),
        (_ex(_got(200, _message("claude-3-5-haiku-20241022")), KEY, OPUS),
         _ex(_got(200, b'{"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0}]}'), KEY,
             "gpt-4o"))),
    Row("downgrade_warned", "answered by another model family, `downgrade = \"warn\"`",
        When(asked=MODEL, status=(ANY_2XX,), other_family=True, downgrade=("warn",)),
        Then(OK, VENDOR, "downgrade", "answered by {answered_by} (asked for {model})"),
        (_ex(_got(200, _message("claude-3-5-haiku-20241022")),
             NetContext(keyed=True, downgrade="warn"), OPUS),)),
    Row("model_slow", "a model's answer slower than `slow_ms` to the first byte",
        When(asked=MODEL, status=(ANY_2XX,), slow=True),
        Then(DEGRADED, VENDOR, "slow", "slow: first byte in {ms} ms"),
        (_ex(_got(200, _message("claude-opus-4-1-20250805"), ms=4000), KEY, OPUS),)),
    Row("model_answers", "a model's answer (a dated or -latest name of the model asked too)",
        When(asked=MODEL, status=(ANY_2XX,)),
        Then(OK, NOBODY, "answers", "answers (first byte in {ms} ms)"),
        (_ex(_got(200, _message("claude-opus-4-1-20250805")), KEY, OPUS),
         _ex(_got(200, b'{"model":"gpt-4o-2024-08-06","choices":[{"index":0}]}'), KEY,
             "gpt-4o"),
         _ex(_got(200, b'{"candidates":[{"finishReason":"MAX_TOKENS"}],'
                       b'"modelVersion":"gemini-2.5-flash"}'), KEY, "gemini-2.5-flash"),
         _ex(_got(200, _message("claude-3-5-haiku-20241022")),
             NetContext(keyed=True, downgrade="ignore"), OPUS))),
    Row("model_other", "any other answer to a model (1xx, 3xx, other 4xx)",
        When(asked=MODEL),
        Then(UNKNOWN, UNSURE, "inconclusive", "inconclusive: unexpected answer (HTTP {code})"),
        (_ex(_got(409), KEY, OPUS),)),
    # ---------------------------------------------------------------- the probe
    Row("probe_slow", "the probe's answer slower than `slow_ms`",
        When(asked=PROBE, slow=True),
        Then(DEGRADED, VENDOR, "slow", "API slow: HTTP {code} in {ms} ms"),
        (_ex(_got(401, ms=4500)),)),
    Row("probe_answers", "any other answer to the probe (keyless 401/403 is the healthy one)",
        When(asked=PROBE),
        Then(OK, NOBODY, "answers", "API answers: HTTP {code} in {ms} ms"),
        (_ex(_got(401, _error("authentication_error", "x-api-key header is required"))),
         _ex(_got(200, b'{"data":[]}'), KEY), _ex(_got(404)))),
)

# The rows whose outcome the rest of the cycle can change (a 429 nothing else explains).
ALONE_429 = frozenset({"probe_rate_limited_key", "model_rate_limited_key", "rate_limited_here"})


def row_for(facts: Facts) -> Row:
    for row in TABLE:
        if row.when.holds(facts):
            return row
    raise LookupError("no verdict row matches")     # the last rows match anything


def judge(facts: Facts, now: datetime | None = None, tz: tzinfo | None = None) -> Verdict:
    row = row_for(facts)
    then = row.then
    side_words = YOUR_SIDE.get(then.side or "", "")
    return Verdict(then.level, then.blame, then.reason, then.side,
                   words(then.words, facts, side_words, now, tz), row.id)


def probe_result(facts: Facts, now: datetime | None = None,
                 tz: tzinfo | None = None) -> ProbeResult:
    v = judge(facts, now, tz)
    fine = v.level is Level.OPERATIONAL
    return ProbeResult(v.level, v.words, status_code=facts.status,
                       latency_ms=facts.elapsed_ms or None,
                       error=None if fine else facts.failure_message or v.words,
                       rate_limited=facts.status == 429, your_side=v.side, reason=v.reason,
                       blame=str(v.blame), facts=facts)


def model_result(facts: Facts, now: datetime | None = None,
                 tz: tzinfo | None = None) -> ModelResult:
    v = judge(facts, now, tz)
    return ModelResult(facts.model, v.level, v.words, status_code=facts.status,
                       latency_ms=facts.elapsed_ms or None, your_side=v.side, reason=v.reason,
                       blame=str(v.blame), facts=facts)


def unexplained_429(facts: Facts | None) -> bool:
    """A 429 only the rest of the cycle can explain."""
    return facts is not None and facts.status == 429 and row_for(
        replace(facts, others_429=False, page_incident=False)).id in ALONE_429


def with_cycle(facts: Facts, others_429: bool, page_incident: bool,
               downgrade: str | None = None) -> Facts:
    return replace(facts, others_429=others_429, page_incident=page_incident,
                   downgrade=downgrade or facts.downgrade)
