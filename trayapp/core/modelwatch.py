"""The monitor's rules for per-model probes and latency. Pure; ``now`` is passed in.

Each model is damped like the API probe (``failure_threshold`` bad answers in
a row to count, ``success_threshold`` good ones to clear; an ``unknown``
answer, "your side" included, neither starts nor clears anything) and has its
own rolling latency median (:mod:`trayapp.core.latency`). A cycle that probed no
model (the interval, the budget, or a Retry-After still running: ``held``) leaves
it as it was.

Verdict: one model failing while another of the same vendor answers is
``degraded``, naming both ("claude-opus-4-1: overloaded (HTTP 529);
claude-sonnet-4-5 answers"); every model failing is the worst of their levels.
A model answered by another family (a silent downgrade, :mod:`trayapp.core.verdict`)
counts after at least :data:`DOWNGRADE_POLLS` answers in a row, and is named in the
summary from the first one, also while it is only a warning (``downgrade = "warn"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from trayapp.core import latency
from trayapp.domain.levels import Level, worst
from trayapp.domain.model import ModelResult, ProbeResult


@dataclass(frozen=True, slots=True)
class ModelMemory:
    model: str
    level: Level = Level.UNKNOWN           # after the thresholds
    bad_streak: int = 0
    good_streak: int = 0
    latencies: tuple[int, ...] = ()
    failing_since: datetime | None = None  # first bad answer of the current run
    detail: str = ""                       # the last answer, one line
    status_code: int | None = None
    latency_ms: int | None = None
    your_side: str | None = None
    reason: str | None = None              # the last answer's verdict (its reason code)
    blame: str | None = None


DOWNGRADE_POLLS = 2     # one swapped answer can be a routing blip; two in a row is a pattern


def slow_probe(probe: ProbeResult, samples: tuple[int, ...], factor: float) -> ProbeResult:
    """A good probe answer that took ``factor`` times the usual: degraded, saying so."""
    if probe.level is not Level.OPERATIONAL or probe.your_side is not None \
            or not latency.is_slow(probe.latency_ms, samples, factor):
        return probe
    return replace(probe, level=Level.DEGRADED,
                   detail=f"API slow: {probe.latency_ms} ms, usually "
                          f"{latency.median(samples)} ms")


def _damp(level: Level, raw: Level, bad: int, good: int, failure: int,
          success: int) -> tuple[Level, int, int]:
    if raw is Level.UNKNOWN:
        return level, bad, good
    if raw.is_problem:
        bad, good = bad + 1, 0
        return (raw if bad >= failure else level), bad, good
    bad, good = 0, good + 1
    settled = not level.is_problem or good >= success
    return (raw if settled else level), bad, good


def update(memories: Sequence[ModelMemory], results: Sequence[ModelResult] | None,
           models: Sequence[str], failure: int, success: int, factor: float,
           now: datetime) -> tuple[ModelMemory, ...]:
    """The models' memory after one cycle (``results`` None: none was probed)."""
    known = {m.model: m for m in memories}
    got = {r.model: r for r in results or ()}
    out = []
    for name in models:
        mem = known.get(name, ModelMemory(name))
        result = got.get(name)
        if result is None or result.held:       # not probed, or held by a Retry-After
            out.append(mem)
            continue
        level = result.level
        detail = result.detail
        if level is Level.OPERATIONAL and latency.is_slow(result.latency_ms, mem.latencies,
                                                         factor):
            level = Level.DEGRADED
            detail = (f"slow: first byte in {result.latency_ms} ms, usually "
                      f"{latency.median(mem.latencies)} ms")
        needed = max(failure, DOWNGRADE_POLLS) if result.reason == "downgrade" else failure
        damped, bad, good = _damp(mem.level, level, mem.bad_streak, mem.good_streak,
                                  needed, success)
        since = mem.failing_since
        if level.is_problem:
            since = since or now
        elif level is not Level.UNKNOWN and not damped.is_problem:
            since = None
        samples = latency.remember(mem.latencies, result.latency_ms) \
            if result.status_code is not None and 200 <= result.status_code < 300 \
            else mem.latencies
        out.append(ModelMemory(name, damped, bad, good, samples, since, detail,
                               result.status_code, result.latency_ms, result.your_side,
                               result.reason, result.blame))
    return tuple(out)


def shown(memories: Sequence[ModelMemory]) -> tuple[ModelResult, ...]:
    """The models as the snapshot shows them: the level after the thresholds."""
    return tuple(ModelResult(m.model, m.level, m.detail or "not probed yet",
                             status_code=m.status_code, latency_ms=m.latency_ms,
                             your_side=m.your_side, median_ms=latency.median(m.latencies),
                             reason=m.reason, blame=m.blame)
                 for m in memories)


def _minutes(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    minutes = int((now - since).total_seconds() // 60)
    return f" for {minutes} min" if minutes >= 1 else ""


def models_level(levels: Sequence[Level]) -> Level:
    """The models' level from their levels after the thresholds: one failing while
    another answers is ``degraded``; all failing, the worst of them; none failing,
    ``operational`` when one answers, else ``unknown``."""
    failing = [lv for lv in levels if lv.is_problem]
    answering = any(lv is Level.OPERATIONAL for lv in levels)
    if not failing:
        return Level.OPERATIONAL if answering else Level.UNKNOWN
    return Level.DEGRADED if answering else worst(failing)


def verdict(memories: Sequence[ModelMemory], now: datetime,
            page_says_fine: bool) -> tuple[Level, str | None]:
    """The models' level for the service, and the words for it (None: nothing to say).

    ``page_says_fine``: the status page reads operational, so a failing model is the
    early warning and the summary says so."""
    failing = [m for m in memories if m.level.is_problem]
    answering = [m for m in memories if m.level is Level.OPERATIONAL]
    # answered by another model, not (yet) counted: said all the same
    swapped = "; ".join(f"{m.model}: {m.detail}" for m in memories
                        if not m.level.is_problem and m.reason == "downgrade")
    level = models_level([m.level for m in memories])
    if not failing:
        return level, swapped or None
    parts = [f"{m.model} failing from this network{_minutes(m.failing_since, now)} "
             f"({m.detail})" if page_says_fine and m.reason != "downgrade"
             else f"{m.model}: {m.detail}" for m in failing]
    if answering:
        parts.append(", ".join(m.model for m in answering)
                     + (" answers" if len(answering) == 1 else " answer"))
    text = "; ".join([*parts, swapped] if swapped else parts)
    if page_says_fine:
        text += "; the status page still says operational"
    return level, text
