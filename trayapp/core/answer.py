"""Reading one HTTP outcome into :class:`~trayapp.domain.facts.Facts`. Pure.

What the body is (empty, a challenge, a proxy's page, a model's answer), what the
vendor's error object says (its type, code and message: Anthropic
``{"type":"error","error":{"type","message"}}``, OpenAI ``{"error":{"message","type",
"code"}}``, Gemini ``{"error":{"code","message","status","details"}}``), what its
rate-limit headers say is left (Anthropic ``anthropic-ratelimit-*-remaining`` /
``-reset``, OpenAI ``x-ratelimit-remaining-*`` / ``x-ratelimit-reset-*``), and which
model answered (``model``, Gemini ``modelVersion``) when it is of another family than
the one asked. Everything read here is untrusted: parsed defensively, cleaned, capped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from trayapp.domain.facts import Asked, Body, Facts, Left, Says
from trayapp.domain.outcome import Fetched, FetchFailed, Outcome, http_date
from trayapp.domain.text import one_line
from trayapp.sources.common import looks_like_challenge


@dataclass(frozen=True, slots=True)
class NetContext:
    """What the rest of the cycle tells about one answer (and the probe's settings)."""

    keyed: bool = False                  # the user's key was sent
    others_resolve: bool = False         # another request of this cycle resolved its host
    clock_skew_s: float | None = None    # this clock minus the servers' (their Date header)
    local: bool = False                  # every URL of this service is on this machine
    others_429: bool = False             # other services answered 429 in this cycle
    page_incident: bool = False          # the service's status page has an incident
    downgrade: str = "degrade"           # the probe's `downgrade` setting


def is_challenge(fetched: Fetched) -> bool:
    return fetched.header("cf-mitigated").lower() == "challenge" or \
        looks_like_challenge(fetched.body)


def is_proxy_page(fetched: Fetched) -> bool:
    """An error page made by a proxy between us and the API, not the API's own."""
    status = fetched.header("proxy-status").lower()
    return fetched.status == 407 or bool(fetched.header("x-squid-error")) or \
        ("error=" in status and fetched.status >= 400)


# ------------------------------------------------------------------ model families

_SUFFIX = re.compile(r"[-@](?:latest|\d{8}|\d{4}-\d{2}-\d{2}|\d{3,4}|\d{2}-\d{2}|preview|exp)$")
_ROUTERS = frozenset({"auto"})     # a router asked to choose (openrouter/auto): any answer


def family(name: str) -> str:
    """A model's family: without its provider path (``models/``, ``anthropic/``), its
    ``:latest`` tag and its dated or versioned suffixes (``-20250929``, ``-2024-08-06``,
    ``-0613``, ``-001``, ``-latest``, ``-preview-06-05``, ``@20240620``)."""
    n = name.strip().lower().rsplit("/", 1)[-1].removesuffix(":latest")
    for _ in range(8):
        cut = _SUFFIX.sub("", n)
        if cut == n or not cut:
            break
        n = cut
    return n


def same_family(asked: str, answered: str) -> bool:
    mine = family(asked)
    return mine in _ROUTERS or mine == family(answered)


# ------------------------------------------------------------------ the error object

_QUOTA_CODES = frozenset({"insufficient_quota", "billing_error", "enforced_spend_limit_reached",
                          "billing_hard_limit_reached", "billing_not_active"})
# Not "billing" alone: OpenAI's plain rate-limit message links to .../account/billing.
_QUOTA_WORDS = re.compile(r"credit balance|billing details|exceeded your current quota"
                          r"|quota exceeded|spend limit|spending limit", re.I)
_KEY_CODES = frozenset({"invalid_api_key", "api_key_invalid", "authentication_error"})
_KEY_WORDS = re.compile(r"api key not valid|invalid api key|incorrect api key"
                        r"|invalid x-api-key", re.I)
_MODEL_CODES = frozenset({"model_not_found", "not_found_error", "not_found"})
_MODEL_WORDS = re.compile(r"not found|not_found|does not exist|doesn't exist|unknown|invalid"
                          r"|not supported|unsupported|no such|not available|decommissioned"
                          r"|deprecated|retired", re.I)
_RATE_CODES = frozenset({"rate_limit_error", "rate_limit_exceeded", "resource_exhausted"})
_BUSY_CODES = frozenset({"overloaded_error", "server_is_overloaded", "slow_down",
                         "unavailable"})
_BUSY_WORDS = re.compile(r"overloaded|over capacity", re.I)
_GENERIC = frozenset({"", "error", "an error occurred", "internal error", "internal server error",
                      "unknown error", "bad request", "invalid request", "something went wrong",
                      "server error", "api error", "failed", "request failed", "null", "none"})


def _error_object(data: object) -> tuple[list[str], str] | None:
    """(the lower-cased type, code, status and reasons, in that order; the message)."""
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, str):
        return [], error
    if isinstance(error, dict):
        codes = [str(error[k]).lower() for k in ("type", "code", "status")
                 if isinstance(error.get(k), str | int) and not isinstance(error.get(k), bool)]
        details = error.get("details")
        for item in details[:20] if isinstance(details, list) else [details]:
            if isinstance(item, dict):
                codes += [str(item[k]).lower() for k in ("reason", "error_code")
                          if isinstance(item.get(k), str)]
        message = error.get("message")
        return codes, message if isinstance(message, str) else ""
    for key in ("detail", "message"):
        if isinstance(data.get(key), str) and data.get("type") in (None, "error"):
            return [], data[key]
    return None


def says(data: object, model: str) -> tuple[Says, str, str]:
    """What the error object says, its type or code (clean), and its message (clean)."""
    found = _error_object(data)
    if found is None:
        return Says.NOTHING, "", ""
    listed, raw = found
    codes = set(listed)
    message = one_line(raw, 160)
    kind = next((c for c in listed if not c.isdigit()), "")
    lower = message.lower()
    names_model = "model" in lower or (bool(model) and model.lower() in lower)
    if codes & _QUOTA_CODES or _QUOTA_WORDS.search(message):
        verdict = Says.QUOTA
    elif codes & _KEY_CODES or _KEY_WORDS.search(message):
        verdict = Says.KEY_REFUSED
    elif codes & _MODEL_CODES or (names_model and _MODEL_WORDS.search(message)):
        verdict = Says.MODEL_UNKNOWN
    elif codes & _RATE_CODES or "rate limit" in lower:
        verdict = Says.RATE_LIMIT
    elif codes & _BUSY_CODES or _BUSY_WORDS.search(message):
        verdict = Says.OVERLOADED
    elif re.sub(r"[^a-z ]", "", lower).strip() in _GENERIC or lower in codes:
        verdict = Says.GENERIC
    else:
        verdict = Says.OTHER
    return verdict, one_line(kind, 60), message


# ------------------------------------------------------------------ rate-limit headers

_DIMENSIONS = (("anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-reset"),
               ("anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset"),
               ("anthropic-ratelimit-input-tokens-remaining",
                "anthropic-ratelimit-input-tokens-reset"),
               ("anthropic-ratelimit-output-tokens-remaining",
                "anthropic-ratelimit-output-tokens-reset"),
               ("x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"),
               ("x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"))
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_LONGEST = 31 * 86400.0


def _seconds(text: str) -> float | None:
    """``6m0s``, ``1.5s``, ``20ms``, ``2h3m`` or a plain number of seconds."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        value = float(text)
    elif text and _DURATION.sub("", text) == "":
        unit = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
        value = sum(float(n) * unit[u] for n, u in _DURATION.findall(text))
    else:
        return None
    return value if value <= _LONGEST else None


def _when(text: str, date: datetime | None) -> tuple[datetime | None, float | None]:
    """A reset as an absolute time, or as seconds from now when nothing anchors it."""
    text = text.strip()
    if not text:
        return None, None
    seconds = _seconds(text)
    if seconds is not None:
        try:
            return (date + timedelta(seconds=seconds), None) if date else (None, seconds)
        except OverflowError:            # a Date at datetime's limits (year 9999)
            return None, seconds
    try:
        when: datetime | None = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = http_date(text)
    return (when, None) if when is not None and when.tzinfo is not None else (None, None)


def limits(fetched: Fetched) -> tuple[Left, datetime | None, float | None]:
    """What the rate-limit headers say is left, and when an exhausted one resets."""
    date = fetched.header_date("date")
    seen: list[int] = []
    resets: list[tuple[datetime | None, float | None]] = []
    for remaining, reset in _DIMENSIONS:
        raw = fetched.header(remaining).strip()
        if not raw.isdigit() or len(raw) > 12:
            continue
        seen.append(int(raw))
        if int(raw) == 0:
            resets.append(_when(fetched.header(reset), date))
    if not seen:
        return Left.UNSAID, None, None
    if not resets:
        return Left.SOME, None, None
    absolute = [a for a, _ in resets if a is not None]
    relative = [r for _, r in resets if r is not None]
    if not absolute and not relative:
        absolute_r, relative_r = _when(fetched.header("retry-after"), date)
        return Left.NONE, absolute_r, relative_r
    return Left.NONE, max(absolute) if absolute else None, \
        None if absolute else max(relative)


# ------------------------------------------------------------------ the whole answer

_CONTENT = (("content", False), ("choices", True), ("candidates", True))   # (key, non-empty)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def _has_content(data: object) -> bool:
    return isinstance(data, dict) and any(
        isinstance(data.get(k), list) and (data[k] or not nonempty) for k, nonempty in _CONTENT)


def _answered_by(data: object, model: str) -> str:
    if not model or not isinstance(data, dict):
        return ""
    named = data.get("model") if isinstance(data.get("model"), str) else data.get("modelVersion")
    if not isinstance(named, str) or not named.strip() or same_family(model, named):
        return ""
    return one_line(named, 80)


def read(outcome: Outcome, ctx: NetContext, slow_ms: int, model: str = "") -> Facts:
    """The facts of one answer: a model's when ``model`` is given, else the probe's."""
    base = Facts(asked=Asked.MODEL if model else Asked.PROBE, model=one_line(model, 130),
                 keyed=ctx.keyed, others_resolve=ctx.others_resolve,
                 clock_skew_s=ctx.clock_skew_s, local=ctx.local, others_429=ctx.others_429,
                 page_incident=ctx.page_incident, downgrade=ctx.downgrade,
                 elapsed_ms=outcome.elapsed_ms)
    if isinstance(outcome, FetchFailed):
        return replace(base, failure=outcome.kind, cause=outcome.cause,
                       failure_message=outcome.message)
    status = outcome.status
    base = replace(base, status=status, slow=outcome.elapsed_ms > slow_ms)
    if is_proxy_page(outcome):
        return replace(base, body=Body.PROXY_PAGE)
    if is_challenge(outcome):
        return replace(base, body=Body.CHALLENGE)
    data: Any = None
    if not outcome.body.strip():
        body = Body.EMPTY
    elif model or status >= 400:
        data = _json(outcome.body)
        body = Body.ANSWER if _has_content(data) else \
            Body.JSON if isinstance(data, dict) else Body.OTHER
    else:
        body = Body.JSON
    said, kind, message = says(data, model) if status >= 400 else (Says.NOTHING, "", "")
    left, at, within = limits(outcome) if status == 429 else (Left.UNSAID, None, None)
    return replace(base, body=body, says=said, error_type=kind, message=message, left=left,
                   resets_at=at, resets_in_s=within,
                   answered_by=_answered_by(data, model) if 200 <= status <= 299 else "")
