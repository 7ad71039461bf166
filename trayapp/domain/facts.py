"""What one probe or model answer showed, as plain values: :class:`Facts`.

:func:`trayapp.core.answer.read` makes them from an :class:`~trayapp.domain.outcome.Outcome`
and what the rest of the cycle saw; :func:`trayapp.core.verdict.judge` turns them into a
level, who is to blame, a reason code and words (one table, first match wins). A result
keeps its facts, so the monitor can judge them again once the whole cycle is known
(429s elsewhere, the page's incident, the probe's ``downgrade`` setting, the clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from trayapp.domain.outcome import FailKind

CLOCK_SKEW_S = 300          # a clock this far off the servers' is "wrong"


class Asked(StrEnum):
    PROBE = "probe"          # the cheap GET (keyless or keyed)
    MODEL = "model"          # one minimal real request to one model


class Body(StrEnum):
    """What the answer's body is."""

    EMPTY = "empty"
    ANSWER = "answer"            # JSON with a model's content (content, choices, candidates)
    JSON = "json"                # any other JSON object
    CHALLENGE = "challenge"      # a bot challenge page (Cloudflare "Just a moment...")
    PROXY_PAGE = "proxy_page"    # an error page made by a proxy, not the API
    OTHER = "other"              # HTML, text, JSON that is not an object


class Says(StrEnum):
    """What the vendor's error object says (its type, code and message)."""

    NOTHING = "nothing"              # no error object
    GENERIC = "generic"              # an error whose message says nothing ("Error")
    MODEL_UNKNOWN = "model_unknown"  # the model is unknown, not found or invalid
    KEY_REFUSED = "key_refused"      # the key is invalid (Gemini: 400 API_KEY_INVALID)
    QUOTA = "quota"                  # insufficient_quota, billing, spend limit, credit
    RATE_LIMIT = "rate_limit"        # rate_limit_error, RESOURCE_EXHAUSTED
    OVERLOADED = "overloaded"        # overloaded_error, server_is_overloaded
    OTHER = "other"                  # a specific message trayapp does not classify


class Left(StrEnum):
    """What the vendor's rate-limit headers say is left for this key."""

    UNSAID = "unsaid"            # no such header
    NONE = "none"                # one of them is 0
    SOME = "some"                # every one is above 0


class Blame(StrEnum):
    NONE = "none"                # nothing is wrong
    VENDOR = "vendor"
    YOURS = "your_side"          # this computer, network, key or account
    UNKNOWN = "unknown"          # can't tell


@dataclass(frozen=True, slots=True)
class Facts:
    asked: Asked = Asked.PROBE
    model: str = ""                       # the model asked for (model answers)
    # no HTTP answer: why (and what exactly, see FetchFailed.cause)
    failure: FailKind | None = None
    cause: str = ""
    failure_message: str = ""
    # an HTTP answer
    status: int | None = None
    elapsed_ms: int = 0
    slow: bool = False                    # slower than the probe's slow_ms
    body: Body = Body.JSON
    says: Says = Says.NOTHING
    error_type: str = ""                  # the vendor's error type or code, cleaned
    message: str = ""                     # the vendor's error message, one clean line
    left: Left = Left.UNSAID
    resets_at: datetime | None = None     # when the exhausted limit resets
    resets_in_s: float | None = None      # the same, relative (no Date header to anchor it)
    answered_by: str = ""                 # the answer names a model of another family
    # the user's side, and what the rest of the cycle saw
    keyed: bool = False
    others_resolve: bool = False
    clock_skew_s: float | None = None
    local: bool = False                   # every URL of this service is on this machine
    others_429: bool = False              # other services answered 429 in this cycle
    page_incident: bool = False           # the service's status page has an incident
    downgrade: str = "degrade"            # the probe's setting: warn | degrade | ignore

    @property
    def answered(self) -> bool:
        return self.status is not None

    @property
    def status_valid(self) -> bool:
        """An HTTP status that exists (100-599)."""
        return self.status is not None and 100 <= self.status <= 599

    @property
    def clock_ahead(self) -> bool:
        return self.clock_skew_s is not None and self.clock_skew_s > CLOCK_SKEW_S

    @property
    def other_family(self) -> bool:
        return bool(self.answered_by)
