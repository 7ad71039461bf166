"""How far each status page can be trusted, from what this machine saw first. Pure.

From the history's spans of one service (``page`` and ``probe``; the probe's are
the API probe and the model probes, each after the thresholds that damp the
icon):

* A **problem** is a run of the probe at degraded or worse. Runs separated only by
  time the probe did not tell (``unknown``, offline, a gap while trayapp was not
  running) are one problem: it ends only when the probe is seen answering again,
  confirmed (``success_threshold`` good polls), as the icon does.
* Its **window** runs from its first bad poll to :data:`SLACK` after its last one,
  or to the start of the next problem when that comes sooner.
* The page **admitted** it when the page said degraded or worse at some time in
  the window (a page already saying so when this machine first saw the problem
  admitted it at once). The **lag** is from this machine's first sight to the
  page's first problem level in the window, 0 when the page was first.
* A problem is **judged** only when the page was read (a known level) at some time
  in its window; one not admitted whose window is still open at ``now`` is left
  for later, not counted against the page.

Figures per service: ``count`` (problems judged), ``admitted``, ``median_minutes``
(of the admitted ones' lags) and a letter grade from :data:`GRADES`, given only
from :data:`MIN_PROBLEMS` problems on.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trayapp.core.history.uptime import DOWN, PROBLEM, UP, Span, humanize

SLACK = 30 * 60.0           # how long after a problem ends a page's admission still counts
MIN_PROBLEMS = 5            # problems judged before a grade is given
SEEN_FINE = UP - PROBLEM    # the probe answering: a problem ends

# grade, share of problems admitted (at least), median lag in minutes (at most):
# the first row both figures meet; none met is "F".
GRADES: tuple[tuple[str, float, float], ...] = (
    ("A", 0.90, 5.0),
    ("B", 0.75, 15.0),
    ("C", 0.50, 30.0),
    ("D", 0.25, 60.0),
)
FAIL = "F"


@dataclass(frozen=True, slots=True)
class Problem:
    start: float                 # this machine's first bad poll
    end: float                   # its last bad poll
    close: float                 # the end of the window for the page's admission
    admitted_at: float | None    # the page's first problem level in the window
    judged: bool                 # the page was read in the window, and it is decided

    @property
    def lag(self) -> float | None:
        return None if self.admitted_at is None else max(0.0, self.admitted_at - self.start)


@dataclass(frozen=True, slots=True)
class PageLag:
    count: int
    admitted: int
    median_minutes: float | None       # None when none was admitted
    grade: str | None                  # None below MIN_PROBLEMS

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "admitted": self.admitted,
                "median_minutes": self.median_minutes, "grade": self.grade}


def runs(probe: Sequence[Span]) -> list[tuple[float, float]]:
    """(first bad poll, last bad poll) of each problem the probe saw, in order."""
    out: list[tuple[float, float]] = []
    fine_since_last = True
    for s in sorted(probe, key=lambda s: s.start):
        if s.state in PROBLEM:
            if out and not fine_since_last:
                out[-1] = (out[-1][0], max(out[-1][1], s.end))
            else:
                out.append((s.start, s.end))
            fine_since_last = False
        elif s.state in SEEN_FINE:
            fine_since_last = True
    return out


def _admitted_at(page: Sequence[Span], start: float, close: float) -> float | None:
    times = [max(s.start, start) for s in page
             if s.state in PROBLEM and s.end >= start and s.start <= close]
    return min(times) if times else None


def _read(page: Sequence[Span], start: float, close: float) -> bool:
    return any((s.state in UP or s.state in DOWN) and s.end >= start and s.start <= close
               for s in page)


def problems(page: Sequence[Span], probe: Sequence[Span], now: float) -> list[Problem]:
    found = runs(probe)
    out = []
    for n, (start, end) in enumerate(found):
        close = end + SLACK
        if n + 1 < len(found):
            close = min(close, found[n + 1][0])
        at = _admitted_at(page, start, close)
        decided = at is not None or close <= now
        out.append(Problem(start, end, close, at, decided and _read(page, start, close)))
    return out


def grade(count: int, admitted: int, median_minutes: float | None) -> str | None:
    """The letter for these figures (None below MIN_PROBLEMS)."""
    if count < MIN_PROBLEMS:
        return None
    share = admitted / count
    for letter, least_share, most_minutes in GRADES:
        if share >= least_share and median_minutes is not None \
                and median_minutes <= most_minutes:
            return letter
    return FAIL


def page_lag(page: Sequence[Span], probe: Sequence[Span], now: float) -> PageLag | None:
    """The figures for one service; None when it has no page or no probe to judge by."""
    if not page or not probe:
        return None
    judged = [p for p in problems(page, probe, now) if p.judged]
    lags = [p.lag for p in judged if p.lag is not None]
    med = None if not lags else round(statistics.median(lags) / 60, 1)
    return PageLag(len(judged), len(lags), med, grade(len(judged), len(lags), med))


def lag_words(name: str, lag: PageLag) -> str:
    """"Claude's status page admitted 9 of the 11 problems this machine saw, a median
    of 7 min later; grade B", always with the count it rests on."""
    who = f"{name}'s status page"
    if lag.count == 0:
        return f"{who}: no problem seen from this machine yet to check it against"
    m = lag.median_minutes
    late = "" if m is None else "0 min" if m == 0 else "under a minute" if m < 1 \
        else humanize(m * 60)
    when = "" if m is None else f", {'' if lag.count == 1 else 'a median of '}{late} later"
    if lag.count == 1:
        text = (f"{who} admitted the one problem this machine saw{when}" if lag.admitted
                else f"{who} did not admit the one problem this machine saw")
    elif lag.admitted == 0:
        text = f"{who} admitted none of the {lag.count} problems this machine saw"
    else:
        text = f"{who} admitted {lag.admitted} of the {lag.count} problems this machine saw{when}"
    if lag.grade is None:
        return f"{text} (a grade needs {MIN_PROBLEMS})"
    return f"{text}; grade {lag.grade}"
