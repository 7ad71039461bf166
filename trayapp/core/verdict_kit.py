"""The parts a verdict table is made of: :class:`When`, :class:`Then`, :class:`Row`. Pure.

A row's :class:`When` names what must hold (every field left at its default matches
anything); the first row whose ``When`` holds gives the :class:`Then`: the level, who
is to blame, a reason code, the "your side" code and the words, a template filled from
the facts. Each row carries examples (a real outcome, what the cycle saw, the model
asked): the tests run each through the whole reading and judging and require it to
land on that row. The table itself is :data:`trayapp.core.verdict.TABLE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from trayapp.core.answer import NetContext
from trayapp.core.timefmt import local_time
from trayapp.domain.facts import CLOCK_SKEW_S, Asked, Blame, Body, Facts, Left, Says
from trayapp.domain.levels import Level
from trayapp.domain.outcome import FAIL_WORDS, FailKind, Outcome

Codes = tuple[int | range, ...]


@dataclass(frozen=True, slots=True)
class When:
    asked: Asked | None = None
    answered: bool | None = None             # an HTTP answer came (or a failure)
    failure: tuple[FailKind, ...] = ()
    cause: tuple[str, ...] = ()
    status_valid: bool | None = None
    status: Codes = ()
    body: tuple[Body, ...] = ()
    says: tuple[Says, ...] = ()
    left: tuple[Left, ...] = ()
    keyed: bool | None = None
    slow: bool | None = None
    other_family: bool | None = None
    downgrade: tuple[str, ...] = ()
    others_resolve: bool | None = None
    clock_ahead: bool | None = None
    local: bool | None = None
    others_429: bool | None = None
    page_incident: bool | None = None

    def holds(self, f: Facts) -> bool:
        flags = (("answered", f.answered), ("status_valid", f.status_valid),
                 ("keyed", f.keyed), ("slow", f.slow), ("other_family", f.other_family),
                 ("others_resolve", f.others_resolve), ("clock_ahead", f.clock_ahead),
                 ("local", f.local), ("others_429", f.others_429),
                 ("page_incident", f.page_incident))
        return (self.asked is None or self.asked is f.asked) \
            and all(getattr(self, name) in (None, value) for name, value in flags) \
            and (not self.failure or f.failure in self.failure) \
            and (not self.cause or f.cause in self.cause) \
            and (not self.status or (f.status is not None and any(
                f.status in c if isinstance(c, range) else f.status == c
                for c in self.status))) \
            and (not self.body or (f.answered and f.body in self.body)) \
            and (not self.says or f.says in self.says) \
            and (not self.left or f.left in self.left) \
            and (not self.downgrade or f.downgrade in self.downgrade)

    def describe(self) -> str:
        """The conditions in words, for the docs."""
        def codes(c: int | range) -> str:
            return f"{c.start}–{c.stop - 1}" if isinstance(c, range) else str(c)

        def yes_no(value: bool | None, yes: str, no: str) -> list[str]:
            return [] if value is None else [yes if value else no]

        out = [f"{self.asked}"] if self.asked else []
        out += yes_no(self.answered, "an HTTP answer", "no HTTP answer")
        out += [f"failed: {', '.join(FAIL_WORDS[k] for k in self.failure)}"] \
            if self.failure else []
        out += [f"TLS cause: {', '.join(self.cause)}"] if self.cause else []
        out += yes_no(self.status_valid, "status 100–599", "status outside 100–599")
        out += [f"HTTP {', '.join(codes(c) for c in self.status)}"] if self.status else []
        out += [f"body: {', '.join(self.body)}"] if self.body else []
        out += [f"error says: {', '.join(self.says)}"] if self.says else []
        out += [f"rate-limit headers: {', '.join(self.left)} left"] if self.left else []
        out += yes_no(self.keyed, "with your key", "without a key")
        out += yes_no(self.slow, "slower than `slow_ms`", "within `slow_ms`")
        out += yes_no(self.other_family, "answered by another model family",
                      "answered by the model asked")
        out += [" or ".join(f'`downgrade = "{d}"`' for d in self.downgrade)] \
            if self.downgrade else []
        out += yes_no(self.others_resolve, "other names resolve", "no other name resolves")
        out += yes_no(self.clock_ahead, f"this clock over {CLOCK_SKEW_S // 60} min ahead of "
                      "the servers'", "this clock right")
        out += yes_no(self.local, "every URL on this machine", "not on this machine")
        out += yes_no(self.others_429, "other services answered 429 this cycle",
                      "no other 429 this cycle")
        out += yes_no(self.page_incident, "the status page has an incident",
                      "no incident on the page")
        return "; ".join(out) or "anything else"


@dataclass(frozen=True, slots=True)
class Then:
    level: Level
    blame: Blame
    reason: str                   # the verdict's code (JSON `reason`)
    words: str                    # a template: see :func:`words`
    side: str | None = None       # the "your side" code (YOUR_SIDE), with blame YOURS


@dataclass(frozen=True, slots=True)
class Example:
    outcome: Outcome
    ctx: NetContext = field(default_factory=NetContext)
    model: str = ""               # a model answer when set, else the probe's
    slow_ms: int = 3000


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    case: str                     # the case in plain words, for the docs
    when: When
    then: Then
    examples: tuple[Example, ...]


@dataclass(frozen=True, slots=True)
class Verdict:
    level: Level
    blame: Blame
    reason: str
    side: str | None
    words: str
    row: str                      # the id of the row that decided


def _skew_words(skew: float | None) -> str:
    if skew is None or abs(skew) < CLOCK_SKEW_S:
        return ""
    minutes = abs(skew) / 60
    amount = f"{minutes / 60:.0f} h" if minutes >= 90 else f"{minutes:.0f} min"
    return f" (this clock is {amount} {'ahead of' if skew > 0 else 'behind'} the servers')"


def _clock(at: datetime, now: datetime | None, tz: tzinfo | None) -> str:
    same_day = now is not None and local_time(at, tz, "%Y-%m-%d") == \
        local_time(now, tz, "%Y-%m-%d")
    return local_time(at, tz, "%H:%M" if same_day or now is None else "%Y-%m-%d %H:%M")


def _resets(f: Facts, now: datetime | None, tz: tzinfo | None) -> str:
    at = f.resets_at
    if at is None and f.resets_in_s is not None and now is not None:
        at = now + timedelta(seconds=f.resets_in_s)
    shown = _clock(at, now, tz) if at is not None else ""
    return f"; resets {shown}" if shown else ""


def words(template: str, f: Facts, side_words: str, now: datetime | None,
          tz: tzinfo | None) -> str:
    """The row's words for these facts. Placeholders: ``{api}`` ("API " for the probe),
    ``{api_probe}`` ("API probe "), ``{code}``, ``{ms}``, ``{failure}``, ``{via}`` (" (HTTP
    407)"), ``{why}`` (the your-side line), ``{skew}``, ``{resets}`` ("; resets 16:00"),
    ``{said}`` (the vendor's error type and message), ``{model}``, ``{answered_by}``,
    ``{detail}`` (what failed, when no HTTP answer came: one line made by trayapp)."""
    probe = f.asked is Asked.PROBE
    said = (f" {f.error_type}" if f.error_type else "") + \
        (f' "{f.message}"' if f.message else "")
    return template.format(
        api="API " if probe else "", api_probe="API probe " if probe else "",
        code=f.status, ms=f.elapsed_ms,
        failure=FAIL_WORDS[f.failure] if f.failure else "",
        via=f" (HTTP {f.cause})" if f.cause.isdigit() else "", why=side_words,
        skew=_skew_words(f.clock_skew_s), resets=_resets(f, now, tz), said=said,
        model=f.model, answered_by=f.answered_by, detail=f.failure_message)
